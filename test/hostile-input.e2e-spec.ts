import { createTestApp, type TestApp } from './utils/test-app';
import { kc, passwordGrant } from './utils/keycloak';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
}

interface Problem {
  code: string;
  detail: string;
  requestId: string;
}

describe('Hostile input (real Keycloak)', () => {
  let sut: TestApp;
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;

  beforeAll(async () => {
    sut = await createTestApp();
    const [h, p] = (await passwordGrant('bob', 'bob-password')).access_token.split('.');
    header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString()) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
  });

  afterAll(async () => {
    await sut.close();
  });

  describe('control characters in a token', () => {
    it.each([
      [
        'kid',
        () => ({ header: { ...header, kid: 'key\u0001\r\n\u0000\u4e2d' }, payload }),
        'TOKEN_UNKNOWN_KEY',
      ],
      [
        'iss',
        () => ({ header, payload: { ...payload, iss: `${kc.realmUrl()}\u0001\u0007` } }),
        'TOKEN_ISSUER_MISMATCH',
      ],
      [
        'alg',
        () => ({ header: { ...header, alg: 'RS256\u0001' }, payload }),
        'TOKEN_ALGORITHM_NOT_ALLOWED',
      ],
    ])(
      'should answer control characters in the %s 401 by name, with a printable challenge',
      async (_field, token, code) => {
        const forged = token();
        const res = await sut.inject({
          method: 'GET',
          url: '/auth/claims',
          headers: { authorization: `Bearer ${b64(forged.header)}.${b64(forged.payload)}.c2ln` },
        });
        expect({ status: res.statusCode, code: res.json<Problem>().code }).toEqual({
          status: 401,
          code,
        });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['www-authenticate']).toMatch(
          /^Bearer realm="keycloak-bff", [\x20-\x7e]+$/,
        );
      },
    );
  });

  describe('deeply nested JSON', () => {
    // 1,500 nested arrays: 3 KB that overflowed the validation pipe's stack.
    const DEEP = `${'['.repeat(1500)}${']'.repeat(1500)}`;

    it('should refuse it 400 naming the limit on every route that takes JSON, authenticated or not', async () => {
      const doc = (await sut.inject({ method: 'GET', url: '/docs-json' })).json<OpenApi>();
      const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([, op]) => op.requestBody?.content['application/json'] !== undefined)
          .map(([method]) => ({ method: method.toUpperCase(), path })),
      );
      expect(routes.length).toBeGreaterThanOrEqual(4);
      const bob = (await passwordGrant('bob', 'bob-password')).access_token;
      for (const auth of [{}, { authorization: `Bearer ${bob}` }]) {
        for (const { method, path } of routes) {
          const res = await sut.inject({
            method: method as 'POST',
            url: path,
            headers: { ...auth, 'content-type': 'application/json' },
            payload: DEEP,
          });
          expect({ method, path, status: res.statusCode, ...res.json<Problem>() }).toMatchObject({
            method,
            path,
            status: 400,
            code: 'BAD_REQUEST',
            detail: expect.stringContaining('deeper than 32 levels'),
          });
        }
      }
    });

    it('should take a body within the limit as before', async () => {
      const res = await sut.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: [[['x']]], password: 'p' },
      });
      expect({ status: res.statusCode, code: res.json<Problem>().code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    });
  });
});

import { type KeycloakProxy, startProxy } from '../scripts/support/keycloak-proxy';
import { createValidatedTestApp, type TestApp } from './utils/test-app';
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
    sut = await createValidatedTestApp();
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

  describe('admin query values Keycloak refuses', () => {
    let proxy: KeycloakProxy;
    let app: TestApp;
    let alice: string;
    const adminCalls = () => proxy.seen.filter((r) => r.path.includes('/admin/')).length;

    beforeAll(async () => {
      proxy = await startProxy(kc.url());
      app = await createValidatedTestApp({
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
      });
      alice = (await passwordGrant('alice', 'alice-password')).access_token;
    });

    afterAll(async () => {
      await app.close();
      await proxy.close();
    });

    it.each([
      ['first=2147483648', 'first'],
      ['first=99999999999999999999', 'first'],
      ['search=wa%00', 'search'],
      ['username=bo%01b', 'username'],
      ['email=bob%00%40example.com', 'email'],
      ['search=%7F', 'search'],
    ])(
      'should answer /users?%s 400 VALIDATION_FAILED without asking Keycloak',
      async (query, field) => {
        const before = adminCalls();
        const res = await app.inject({
          method: 'GET',
          url: `/users?${query}`,
          headers: { authorization: `Bearer ${alice}` },
        });
        expect({ status: res.statusCode, code: res.json<Problem>().code }).toEqual({
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([
          field,
        ]);
        expect(adminCalls()).toBe(before);
      },
    );

    it('should still page at the largest first Keycloak takes', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/users?first=2147483647',
        headers: { authorization: `Bearer ${alice}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ items: [], first: 2_147_483_647 });
    });
  });
});

import { createTestApp, type TestApp } from './utils/test-app';
import { kc, passwordGrant } from './utils/keycloak';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

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
});

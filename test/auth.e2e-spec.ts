import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { createValidatedTestApp, type TestApp } from './utils/test-app';
import {
  adminFetch,
  clientCredentialsGrant,
  decodeJwt,
  ensureRealm,
  kc,
  passwordGrant,
} from './utils/keycloak';
import { getWithoutUserAgent, startProxy } from '../scripts/support/keycloak-proxy';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Problem {
  code: string;
  status: number;
  detail: string;
  hint?: string;
  errors?: { field: string; message: string }[];
}

describe('Auth (real Keycloak)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createValidatedTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  const login = (payload: Record<string, unknown>) =>
    sut.inject({ method: 'POST', url: '/auth/login', payload });

  async function expectProblem(
    res: { statusCode: number; headers: Record<string, unknown>; json: <T>() => T },
    status: number,
    code: string,
  ): Promise<Problem> {
    const body = res.json<Problem>();
    expect({ status: res.statusCode, code: body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    return Promise.resolve(body);
  }

  describe('login, me, refresh, logout', () => {
    it('should log alice in with openid, show her through /auth/me, refresh, and log out for good', async () => {
      const res = await login({ username: 'alice', password: 'alice-password' });
      expect(res.statusCode).toBe(200);
      const tokens = res.json<Record<string, unknown>>();
      expect(Object.keys(tokens).sort()).toEqual(
        [
          'access_token',
          'expires_in',
          'refresh_token',
          'refresh_expires_in',
          'token_type',
          'id_token',
          'scope',
          'session_state',
        ].sort(),
      );
      const access = String(tokens.access_token);
      expect(String(decodeJwt(access).payload.scope).split(' ')).toContain('openid');

      const me = await sut.inject({ method: 'GET', url: '/auth/me', headers: bearer(access) });
      expect(me.statusCode).toBe(200);
      const user = me.json<{ preferred_username: string; roles: string[] }>();
      expect(user.preferred_username).toBe('alice');
      expect(user.roles).toEqual(
        expect.arrayContaining(['admin', 'user', 'orders-api:orders:read']),
      );

      const refreshed = await sut.inject({
        method: 'POST',
        url: '/auth/refresh',
        payload: { refresh_token: tokens.refresh_token },
      });
      expect(refreshed.statusCode).toBe(200);
      const next = refreshed.json<{ access_token: string; refresh_token: string }>();
      expect(next.access_token).not.toBe(access);
      expect(decodeJwt(next.access_token).payload.preferred_username).toBe('alice');

      const out = await sut.inject({
        method: 'POST',
        url: '/auth/logout',
        payload: { refresh_token: next.refresh_token },
      });
      expect(out.statusCode).toBe(204);
      expect(out.body).toBe('');

      const after = await sut.inject({
        method: 'POST',
        url: '/auth/refresh',
        payload: { refresh_token: next.refresh_token },
      });
      await expectProblem(after, 401, 'SESSION_NOT_ACTIVE');
    });

    it('should always request openid, even when the caller asks only for other scopes', async () => {
      const res = await login({ username: 'bob', password: 'bob-password', scope: 'email' });
      expect(res.statusCode).toBe(200);
      const scopes = String(res.json<{ scope: string }>().scope).split(' ');
      expect(scopes).toEqual(expect.arrayContaining(['openid', 'email']));
    });

    it('should refuse a scope outside the allow-list before calling Keycloak', async () => {
      const body = await expectProblem(
        await login({
          username: 'bob',
          password: 'bob-password',
          scope: 'openid admin-everything',
        }),
        400,
        'VALIDATION_FAILED',
      );
      expect(body.errors).toEqual([
        {
          field: 'scope',
          message: expect.stringContaining("scope 'admin-everything' is not allowed"),
        },
      ]);
    });

    it('should name a wrong password INVALID_CREDENTIALS', async () => {
      const body = await expectProblem(
        await login({ username: 'alice', password: 'nope' }),
        401,
        'INVALID_CREDENTIALS',
      );
      expect(body).toMatchObject({
        upstream: { error: 'invalid_grant', error_description: 'Invalid user credentials' },
      });
    });

    it('should name a disabled account ACCOUNT_DISABLED', async () => {
      await expectProblem(
        await login({ username: 'carol', password: 'carol-password' }),
        403,
        'ACCOUNT_DISABLED',
      );
    });

    it.each([
      ['an empty body', {}, ['username', 'password']],
      ['empty fields', { username: '', password: '' }, ['username', 'password']],
      ['an extra field', { username: 'alice', password: 'x', admin: true }, ['admin']],
      ['a non-string password', { username: 'alice', password: 42 }, ['password']],
    ])('should answer 400 VALIDATION_FAILED for %s', async (_name, payload, fields) => {
      const body = await expectProblem(await login(payload), 400, 'VALIDATION_FAILED');
      expect([...new Set(body.errors?.map((e) => e.field))].sort()).toEqual([...fields].sort());
    });

    it('should name a garbage refresh token INVALID_REFRESH_TOKEN', async () => {
      const res = await sut.inject({
        method: 'POST',
        url: '/auth/refresh',
        payload: { refresh_token: 'garbage' },
      });
      await expectProblem(res, 401, 'INVALID_REFRESH_TOKEN');
    });
  });

  describe('the JWT guard', () => {
    let alice: string;

    beforeAll(async () => {
      alice = (await passwordGrant('alice', 'alice-password')).access_token;
    });

    const claims = (headers: Record<string, string> = {}) =>
      sut.inject({ method: 'GET', url: '/auth/claims', headers });

    async function expectRejected(headers: Record<string, string>, code: string): Promise<Problem> {
      const res = await claims(headers);
      const body = await expectProblem(res, 401, code);
      const challenge = String(res.headers['www-authenticate']);
      if (code === 'TOKEN_MISSING') {
        expect(challenge).toBe('Bearer realm="keycloak-bff"');
      } else {
        expect(challenge).toMatch(
          /^Bearer realm="keycloak-bff", error="invalid_token", error_description="[^"]+"$/,
        );
      }
      return body;
    }

    it('should let a valid token through with its claims and roles', async () => {
      const res = await claims(bearer(alice));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        claims: { preferred_username: 'alice', iss: kc.realmUrl() },
        roles: expect.arrayContaining(['admin', 'user']),
      });
    });

    it('should name a missing token', async () => {
      await expectRejected({}, 'TOKEN_MISSING');
    });

    it('should name garbage', async () => {
      await expectRejected(bearer('garbage'), 'TOKEN_MALFORMED');
    });

    it('should name an expired token', async () => {
      const fresh = (await passwordGrant('bob', 'bob-password')).access_token;
      const exp = Number(decodeJwt(fresh).payload.exp);
      // The token is Keycloak's own; only our clock moves past its exp (+ clock tolerance).
      jest.spyOn(Date, 'now').mockReturnValue((exp + 3600) * 1000);
      const body = await expectRejected(bearer(fresh), 'TOKEN_EXPIRED');
      expect(body.detail).toContain(new Date(exp * 1000).toISOString());
    });

    it('should name a tampered payload', async () => {
      const [header, payload, signature] = alice.split('.');
      const forged = b64({
        ...decodeJwt(alice).payload,
        realm_access: { roles: ['admin', 'superuser'] },
      });
      expect(forged).not.toBe(payload);
      await expectRejected(bearer(`${header}.${forged}.${signature}`), 'TOKEN_SIGNATURE_INVALID');
    });

    it('should refuse alg none', async () => {
      const { header, payload } = decodeJwt(alice);
      await expectRejected(
        bearer(`${b64({ ...header, alg: 'none' })}.${b64(payload)}.`),
        'TOKEN_ALGORITHM_NOT_ALLOWED',
      );
    });

    it("should refuse HS256 signed with the realm's public key", async () => {
      const { header, payload } = decodeJwt(alice);
      const jwks = (await (
        await fetch(`${kc.realmUrl()}/protocol/openid-connect/certs`)
      ).json()) as {
        keys: (JsonWebKey & { kid: string })[];
      };
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      const pem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({
        type: 'spki',
        format: 'pem',
      });
      const signingInput = `${b64({ ...header, alg: 'HS256' })}.${b64(payload)}`;
      const signature = createHmac('sha256', pem).update(signingInput).digest('base64url');
      await expectRejected(bearer(`${signingInput}.${signature}`), 'TOKEN_ALGORITHM_NOT_ALLOWED');
    });

    it('should name a token from another realm, showing both issuers', async () => {
      await ensureRealm({
        realm: 'e2e-other',
        enabled: true,
        clients: [
          {
            clientId: 'bff',
            publicClient: false,
            secret: 'other-secret',
            directAccessGrantsEnabled: true,
            serviceAccountsEnabled: true,
          },
        ],
      });
      const foreign = (await clientCredentialsGrant('bff', 'other-secret', 'e2e-other'))
        .access_token;
      const body = await expectRejected(bearer(foreign), 'TOKEN_ISSUER_MISMATCH');
      expect(body.detail).toBe(
        `Token issuer '${kc.realmUrl('e2e-other')}' is not the expected '${kc.realmUrl()}'`,
      );
      expect(body.hint).toContain('KEYCLOAK_PUBLIC_URL');
    });

    it('should name a token for another audience', async () => {
      const clientId = 'e2e-no-bff-audience';
      const created = await adminFetch('/realms/demo/clients', {
        method: 'POST',
        body: { clientId, publicClient: false, secret: 'e2e-secret', serviceAccountsEnabled: true },
      });
      expect([201, 409]).toContain(created.status);
      const token = (await clientCredentialsGrant(clientId, 'e2e-secret')).access_token;
      expect(decodeJwt(token).payload.aud ?? []).not.toContain('bff');
      const body = await expectRejected(bearer(token), 'TOKEN_AUDIENCE_MISMATCH');
      expect(body.detail).toContain("expected aud 'bff'");
    });

    it('should name a token signed by a key the realm does not have', async () => {
      const { header, payload } = decodeJwt(alice);
      const [, , signature] = alice.split('.');
      await expectRejected(
        bearer(`${b64({ ...header, kid: 'not-a-realm-key' })}.${b64(payload)}.${signature}`),
        'TOKEN_UNKNOWN_KEY',
      );
    });

    it('should answer 403 MISSING_OPENID_SCOPE at /auth/me for a token without openid', async () => {
      const token = (await clientCredentialsGrant()).access_token;
      expect(String(decodeJwt(token).payload.scope).split(' ')).not.toContain('openid');
      const res = await sut.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
      const body = await expectProblem(res, 403, 'MISSING_OPENID_SCOPE');
      expect(body.hint).toContain('scope=openid');
      expect(body).toMatchObject({ upstream: { status: 403, error: 'insufficient_scope' } });
    });
  });

  describe('Keycloak behind a proxy', () => {
    it('should send a User-Agent to a WAF that refuses requests without one', async () => {
      const proxy = await startProxy(kc.url(), { requireUserAgent: true });
      const app = await createValidatedTestApp({
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
      });
      try {
        // The proxy really refuses requests without a User-Agent.
        expect(
          await getWithoutUserAgent(`${proxy.url}/realms/demo/protocol/openid-connect/certs`),
        ).toBe(403);
        const token = (await passwordGrant('bob', 'bob-password')).access_token;
        const res = await app.inject({
          method: 'GET',
          url: '/auth/claims',
          headers: bearer(token),
        });
        expect(res.statusCode).toBe(200);
        const jwksRequests = proxy.seen.filter(
          (r) => r.path.endsWith('/protocol/openid-connect/certs') && r.userAgent,
        );
        expect(jwksRequests.length).toBeGreaterThan(0);
        expect(
          jwksRequests.every((r) => r.userAgent?.startsWith('keycloak-bff/') && r.status === 200),
        ).toBe(true);
      } finally {
        await app.close();
        await proxy.close();
      }
    });

    it('should name a refused JWKS request JWKS_UNAVAILABLE with the status', async () => {
      const proxy = await startProxy(kc.url());
      const app = await createValidatedTestApp({
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
      });
      try {
        proxy.refuseAll = true;
        // A key the BFF has never seen forces a fetch, which the "WAF" now refuses.
        const { header, payload } = decodeJwt(
          (await passwordGrant('bob', 'bob-password')).access_token,
        );
        const token = `${b64({ ...header, kid: 'rotated-key' })}.${b64(payload)}.c2ln`;
        const res = await app.inject({
          method: 'GET',
          url: '/auth/claims',
          headers: bearer(token),
        });
        // Keys loaded at start are kept, so this is an unknown key, not an outage ...
        await expectProblem(res, 401, 'TOKEN_UNKNOWN_KEY');
      } finally {
        await app.close();
      }
      // ... while a BFF that could never load the JWKS says why.
      const cold = await createValidatedTestApp({
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
      });
      try {
        const token = (await passwordGrant('bob', 'bob-password')).access_token;
        const res = await cold.inject({
          method: 'GET',
          url: '/auth/claims',
          headers: bearer(token),
        });
        const body = await expectProblem(res, 503, 'JWKS_UNAVAILABLE');
        expect(body.detail).toMatch(/certs endpoint answered 403|discovery/);
      } finally {
        await cold.close();
        await proxy.close();
      }
    });

    it('should keep verifying tokens through a Keycloak outage, and say IDP_UNAVAILABLE for login', async () => {
      const proxy = await startProxy(kc.url());
      const app = await createValidatedTestApp({
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
      });
      try {
        const warm = (await passwordGrant('bob', 'bob-password')).access_token;
        expect(
          (await app.inject({ method: 'GET', url: '/auth/claims', headers: bearer(warm) }))
            .statusCode,
        ).toBe(200);

        await proxy.close();
        // A token the BFF has not seen before: verified with the cached keys, no Keycloak needed.
        const fresh = (await passwordGrant('alice', 'alice-password')).access_token;
        const res = await app.inject({
          method: 'GET',
          url: '/auth/claims',
          headers: bearer(fresh),
        });
        expect(res.statusCode).toBe(200);

        const down = await app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { username: 'alice', password: 'alice-password' },
        });
        const body = await expectProblem(down, 503, 'IDP_UNAVAILABLE');
        expect(body.detail).toContain('ECONNREFUSED');
      } finally {
        await app.close();
      }
    });
  });

  describe('login rate limit', () => {
    it.each([
      ['in memory', undefined],
      ['in Redis, shared by two instances', 'redis://127.0.0.1:6379'],
    ])(
      'should answer 429 RATE_LIMITED with Retry-After per username (%s)',
      async (_name, redisUrl) => {
        const env = {
          LOGIN_RATE_LIMIT_PER_USERNAME: '3',
          LOGIN_RATE_LIMIT_WINDOW_S: '30',
          REDIS_URL: redisUrl,
        };
        const first = await createValidatedTestApp(env);
        const second = redisUrl ? await createValidatedTestApp(env) : first;
        const username = `rate-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        try {
          const attempt = (app: TestApp) =>
            app.inject({
              method: 'POST',
              url: '/auth/login',
              payload: { username, password: 'wrong' },
            });
          for (const app of [first, second, first]) {
            expect((await attempt(app)).statusCode).toBe(401);
          }
          const limited = await attempt(second);
          const body = await expectProblem(limited, 429, 'RATE_LIMITED');
          expect(body.detail).toContain('for this username');
          expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
          // Another username is not affected.
          const other = await first.inject({
            method: 'POST',
            url: '/auth/login',
            payload: { username: `${username}-other`, password: 'wrong' },
          });
          expect(other.statusCode).toBe(401);
        } finally {
          await first.close();
          if (second !== first) {
            await second.close();
          }
        }
      },
    );
  });
});

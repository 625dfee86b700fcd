import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  type FakeAnswer,
  type KeycloakProxy,
  type SeenRequest,
  startProxy,
} from '../scripts/support/keycloak-proxy';
import { createTestApp, type TestApp } from './utils/test-app';
import { kc, passwordGrant, userId } from './utils/keycloak';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** What has answered in Keycloak's place in the field: a WAF page, a broken body, another type. */
const GARBAGE: [string, FakeAnswer][] = [
  [
    'an HTML maintenance page',
    {
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><html><body><h1>Down for maintenance</h1></body></html>',
    },
  ],
  ['truncated JSON', { body: '{"access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIi' }],
  ['[1,2,3]', { body: '[1,2,3]' }],
  ['{"access_token":123}', { body: '{"access_token":123}' }],
  ['null', { body: 'null' }],
];

/** Every answer of this file, with the time it took: printed at the end. */
const timings: { row: string; garbage: string; status: number; code: string; ms: number }[] = [];

interface Problem {
  code: string;
  detail: string;
  upstream?: { status?: number };
}

const path =
  (pattern: RegExp, method = 'GET') =>
  (request: SeenRequest) =>
    request.method === method && pattern.test(request.path.split('?', 1)[0] ?? '');
const TOKEN = path(/\/protocol\/openid-connect\/token$/, 'POST');

/** Sends one request while the proxy answers `garbage` to what `where` picks, and times it. */
async function underFault(
  proxy: KeycloakProxy,
  app: TestApp,
  where: (request: SeenRequest) => boolean,
  garbage: [string, FakeAnswer],
  row: string,
  request: InjectOptions,
): Promise<LightMyRequestResponse> {
  const faked = proxy.seen.filter((r) => r.faked).length;
  proxy.fault = (seen) => (where(seen) ? garbage[1] : undefined);
  const started = performance.now();
  try {
    const res = await app.inject(request);
    const code = String(res.headers['content-type']).includes('problem')
      ? res.json<Problem>().code
      : '-';
    timings.push({
      row,
      garbage: garbage[0],
      status: res.statusCode,
      code,
      ms: Math.round(performance.now() - started),
    });
    // The answer came from the fault, not from a request that never reached it.
    expect(proxy.seen.filter((r) => r.faked).length).toBeGreaterThan(faked);
    return res;
  } finally {
    proxy.fault = undefined;
  }
}

/** An app whose Keycloak answers `null` to what `where` picks from the start: it never loads. */
async function faultyFromStart(
  where: (request: SeenRequest) => boolean,
): Promise<{ proxy: KeycloakProxy; app: TestApp }> {
  const proxy = await startProxy(kc.url());
  proxy.fault = (seen) => (where(seen) ? { body: 'null' } : undefined);
  const app = await createTestApp({ KEYCLOAK_URL: proxy.url, KEYCLOAK_PUBLIC_URL: kc.url() });
  return { proxy, app };
}

function expectIdpError(res: LightMyRequestResponse, operation: string): void {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect({ status: res.statusCode, ...res.json<Problem>() }).toMatchObject({
    status: 502,
    code: 'IDP_ERROR',
    detail: expect.stringContaining(`Unusable answer from Keycloak to the ${operation} (`),
    upstream: { status: 200 },
  });
}

describe('Keycloak answering garbage (fault-injection proxy, real Keycloak)', () => {
  let proxy: KeycloakProxy;
  let sut: TestApp;
  let alice: string;
  let bob: { access_token: string; refresh_token?: string };
  let bobId: string;

  beforeAll(async () => {
    proxy = await startProxy(kc.url());
    sut = await createTestApp({
      KEYCLOAK_URL: proxy.url,
      KEYCLOAK_PUBLIC_URL: kc.url(),
      TOKEN_EXCHANGE_AUDIENCES: 'orders-api',
    });
    alice = (await passwordGrant('alice', 'alice-password')).access_token;
    bob = await passwordGrant('bob', 'bob-password');
    bobId = await userId('bob');
  });

  afterAll(async () => {
    await sut.close();
    await proxy.close();
    const lines = timings.map(
      (t) =>
        `${t.row.padEnd(34)} ${t.garbage.padEnd(26)} ${t.status} ${t.code.padEnd(18)} ${t.ms} ms`,
    );
    process.stderr.write(`[keycloak-faults] answers under fault:\n${lines.join('\n')}\n`);
  });

  // First: until one grant succeeds, the Admin API's token is not cached.
  it.each(GARBAGE)(
    "should name the Admin API's service-account grant when the token endpoint answers %s",
    async (...garbage) => {
      const res = await underFault(proxy, sut, TOKEN, garbage, 'admin service-account grant', {
        method: 'GET',
        url: `/users/${bobId}`,
        headers: bearer(alice),
      });
      expectIdpError(res, "Admin API's service-account grant");
      // Never "Bearer undefined" at the Admin API.
      expect(proxy.seen.filter((r) => r.path.includes('/admin/'))).toEqual([]);
    },
  );

  it.each(GARBAGE)(
    'should answer POST /auth/login 502 when the token endpoint answers %s',
    async (...garbage) => {
      const res = await underFault(proxy, sut, TOKEN, garbage, 'POST /auth/login', {
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'bob', password: 'bob-password' },
      });
      expectIdpError(res, 'password grant');
    },
  );

  it.each(GARBAGE)(
    'should answer POST /auth/refresh 502 when the token endpoint answers %s',
    async (...garbage) => {
      const res = await underFault(proxy, sut, TOKEN, garbage, 'POST /auth/refresh', {
        method: 'POST',
        url: '/auth/refresh',
        payload: { refresh_token: bob.refresh_token },
      });
      expectIdpError(res, 'refresh grant');
    },
  );

  it.each(GARBAGE)(
    'should answer POST /token-exchange 502 when the token endpoint answers %s',
    async (...garbage) => {
      const res = await underFault(proxy, sut, TOKEN, garbage, 'POST /token-exchange', {
        method: 'POST',
        url: '/token-exchange',
        headers: bearer(alice),
        payload: { audience: 'orders-api' },
      });
      expectIdpError(res, 'token exchange');
    },
  );

  it.each(GARBAGE)(
    'should answer GET /auth/me 502 when userinfo answers %s',
    async (...garbage) => {
      const res = await underFault(
        proxy,
        sut,
        path(/\/protocol\/openid-connect\/userinfo$/),
        garbage,
        'GET /auth/me',
        { method: 'GET', url: '/auth/me', headers: bearer(bob.access_token) },
      );
      expectIdpError(res, 'userinfo request');
    },
  );

  describe('the Admin API', () => {
    beforeAll(async () => {
      // A real answer first, so the service-account token is cached and only the call fails.
      const res = await sut.inject({
        method: 'GET',
        url: `/users/${bobId}`,
        headers: bearer(alice),
      });
      expect(res.statusCode).toBe(200);
    });

    it.each(GARBAGE)(
      'should answer GET /users/:id 502 when the Admin API answers %s',
      async (...garbage) => {
        const res = await underFault(
          proxy,
          sut,
          path(/\/admin\/realms\/demo\/users\/[^/]+$/),
          garbage,
          'GET /users/:id',
          { method: 'GET', url: `/users/${bobId}`, headers: bearer(alice) },
        );
        expectIdpError(res, 'user lookup');
      },
    );

    it.each(GARBAGE)(
      'should answer GET /users 502 when the user count answers %s',
      async (...garbage) => {
        const res = await underFault(
          proxy,
          sut,
          path(/\/admin\/realms\/demo\/users\/count$/),
          garbage,
          'GET /users (count)',
          { method: 'GET', url: '/users', headers: bearer(alice) },
        );
        expectIdpError(res, 'user count');
      },
    );

    it.each(GARBAGE)(
      'should answer GET /users 502 when the user list answers %s',
      async (...garbage) => {
        const res = await underFault(
          proxy,
          sut,
          path(/\/admin\/realms\/demo\/users$/),
          garbage,
          'GET /users (list)',
          { method: 'GET', url: '/users', headers: bearer(alice) },
        );
        expectIdpError(res, 'user list');
      },
    );
  });

  describe('logout', () => {
    it.each(GARBAGE)(
      'should answer POST /auth/logout 502 when the logout endpoint answers 200 with %s, and the session goes on',
      async (...garbage) => {
        const session = await passwordGrant('bob', 'bob-password');
        const res = await underFault(
          proxy,
          sut,
          path(/\/protocol\/openid-connect\/logout$/, 'POST'),
          garbage,
          'POST /auth/logout',
          {
            method: 'POST',
            url: '/auth/logout',
            payload: { refresh_token: session.refresh_token },
          },
        );
        expectIdpError(res, 'logout');
        expect(res.json<Problem>().detail).toContain('expected status 204');
        // Keycloak never ended the session: its refresh token still works. No 204 said otherwise.
        const refreshed = await sut.inject({
          method: 'POST',
          url: '/auth/refresh',
          payload: { refresh_token: session.refresh_token },
        });
        expect(refreshed.statusCode).toBe(200);
      },
    );

    it("should answer 204 on Keycloak's own 204, after which the refresh token is dead", async () => {
      const session = await passwordGrant('bob', 'bob-password');
      const res = await sut.inject({
        method: 'POST',
        url: '/auth/logout',
        payload: { refresh_token: session.refresh_token },
      });
      expect(res.statusCode).toBe(204);
      const refreshed = await sut.inject({
        method: 'POST',
        url: '/auth/refresh',
        payload: { refresh_token: session.refresh_token },
      });
      expect(refreshed.statusCode).toBe(401);
    });
  });

  describe('discovery', () => {
    let faulty: KeycloakProxy;
    let app: TestApp;
    const DISCOVERY = path(/\/\.well-known\/openid-configuration$/);

    // Garbage from the start: discovery never loads, so every request tries again.
    beforeAll(async () => {
      ({ proxy: faulty, app } = await faultyFromStart(DISCOVERY));
    });

    afterAll(async () => {
      await app.close();
      await faulty.close();
    });

    it.each(GARBAGE)(
      'should answer logins 502 naming the discovery request, and be unready, when discovery answers %s',
      async (...garbage) => {
        const login = await underFault(
          faulty,
          app,
          DISCOVERY,
          garbage,
          'discovery → POST /auth/login',
          {
            method: 'POST',
            url: '/auth/login',
            payload: { username: 'bob', password: 'bob-password' },
          },
        );
        expectIdpError(login, 'discovery request');
        faulty.fault = (seen) => (DISCOVERY(seen) ? garbage[1] : undefined);
        const ready = await app.inject({ method: 'GET', url: '/health/ready' });
        expect(ready.statusCode).toBe(503);
        expect(ready.json<Problem>().detail).toContain('discovery request');
      },
    );
  });

  describe('the realm keys', () => {
    let faulty: KeycloakProxy;
    let app: TestApp;
    const CERTS = path(/\/protocol\/openid-connect\/certs$/);

    // Garbage from the start: no key is ever cached, so a bearer request fetches again.
    beforeAll(async () => {
      ({ proxy: faulty, app } = await faultyFromStart(CERTS));
    });

    afterAll(async () => {
      await app.close();
      await faulty.close();
    });

    it.each(GARBAGE)(
      'should answer bearer requests 503 JWKS_UNAVAILABLE naming the JWKS request when the certs endpoint answers %s',
      async (...garbage) => {
        // Without any key, the set is fetched again at most once a second.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const res = await underFault(faulty, app, CERTS, garbage, 'certs → GET /auth/claims', {
          method: 'GET',
          url: '/auth/claims',
          headers: bearer(bob.access_token),
        });
        expect({ status: res.statusCode, ...res.json<Problem>() }).toMatchObject({
          status: 503,
          code: 'JWKS_UNAVAILABLE',
          detail: expect.stringContaining('to the JWKS request (jwks endpoint, HTTP 200)'),
        });
      },
    );
  });
});

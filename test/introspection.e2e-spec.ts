import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { type KeycloakProxy, startProxy } from '../scripts/support/keycloak-proxy';
import { freePort } from '../scripts/keycloak/distribution';
import { SessionRepository } from '../src/session/session.repository';
import { browserlessLogin, CookieJar, SESSION_CLIENT, sessionEnv } from './utils/browserless';
import { adminFetch, decodeJwt, kc, passwordGrant, type TokenResponse } from './utils/keycloak';
import { createTestApp, type TestApp } from './utils/test-app';

/** The demo realm's client whose access tokens are lightweight (realm-export.json). */
const LIGHT = { id: 'bff-light', secret: 'bff-light-secret' };

const lightweightLogin = (user = 'alice'): Promise<TokenResponse> =>
  passwordGrant(user, `${user}-password`, 'openid profile email', LIGHT);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const INTROSPECT_PATH = '/realms/demo/protocol/openid-connect/token/introspect';

const LIGHTWEIGHT_ATTRIBUTE = 'client.use.lightweight.access.token.enabled';

/** Turns "Always use lightweight access token" on or off for a client of the demo realm. */
async function setLightweight(clientId: string, on: boolean): Promise<void> {
  const [client] = (await (
    await adminFetch(`/realms/demo/clients?clientId=${clientId}`)
  ).json()) as { id: string; attributes: Record<string, string> }[];
  if (!client) {
    throw new Error(`no client ${clientId}`);
  }
  const res = await adminFetch(`/realms/demo/clients/${client.id}`, {
    method: 'PUT',
    body: { ...client, attributes: { ...client.attributes, [LIGHTWEIGHT_ATTRIBUTE]: String(on) } },
  });
  expect(res.status).toBe(204);
}

/** How many introspection requests reached Keycloak through the proxy. */
const introspections = (proxy: KeycloakProxy): number =>
  proxy.seen.filter((r) => r.method === 'POST' && r.path === INTROSPECT_PATH).length;

const body = (res: LightMyRequestResponse) => res.json<Record<string, unknown>>();

/**
 * An app whose calls to Keycloak go through `proxy`; tokens still name Keycloak itself. One app
 * at a time: passport keeps one strategy per name for the whole process, the last app's.
 */
const appBehind = (proxy: KeycloakProxy, env: Record<string, string>): Promise<TestApp> =>
  createTestApp({ KEYCLOAK_URL: proxy.url, KEYCLOAK_PUBLIC_URL: kc.url(), ...env });

/**
 * Issue 22: lightweight and opaque access tokens, learnt through Keycloak's introspection
 * endpoint, once per token. The BFF reaches the real Keycloak through a proxy that counts the
 * introspection requests.
 */
describe('Introspection of lightweight and opaque tokens (real Keycloak)', () => {
  let proxy: KeycloakProxy;
  const OPAQUE = 'Yx3kq1bPqk2m-not-a-jwt-0123456789';

  beforeAll(async () => {
    proxy = await startProxy(kc.url());
  });

  afterAll(async () => {
    await proxy.close();
  });

  /** The app of one describe block, alive only during it. */
  function appFor(env: Record<string, string>): () => TestApp {
    let app: TestApp | undefined;
    beforeAll(async () => {
      app = await appBehind(proxy, env);
    });
    afterAll(async () => {
      await app?.close();
    });
    return () => {
      if (!app) {
        throw new Error('the app is not up');
      }
      return app;
    };
  }

  it("should get a lightweight token from the demo realm's bff-light: no aud, sub or roles in it", async () => {
    const { payload } = decodeJwt((await lightweightLogin()).access_token);

    expect(payload).toMatchObject({ azp: 'bff-light' });
    expect([payload.aud, payload.sub, payload.realm_access]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  describe('AUTH_INTROSPECTION=fallback', () => {
    const app = appFor({ AUTH_INTROSPECTION: 'fallback' });
    const get = (url: string, token: string) =>
      app().inject({ method: 'GET', url, headers: bearer(token) });

    it("should show alice's roles and name on /auth/me for her lightweight token", async () => {
      const { access_token } = await lightweightLogin();

      const res = await get('/auth/me', access_token);

      expect(res.statusCode).toBe(200);
      expect(body(res)).toMatchObject({
        preferred_username: 'alice',
        name: 'Alice Liddell',
        email: 'alice@example.com',
        roles: expect.arrayContaining(['admin', 'user', 'orders-api:orders:read']) as string[],
      });
    });

    it('should let alice list users (admin only) with her lightweight token', async () => {
      const { access_token } = await lightweightLogin();

      const res = await get('/users', access_token);

      expect(res.statusCode).toBe(200);
      expect(body(res)).toMatchObject({ total: expect.any(Number) as number });
    });

    it("should still refuse bob's lightweight token on the admin route: his roles come from introspection too", async () => {
      const { access_token } = await lightweightLogin('bob');

      const res = await get('/users', access_token);

      expect(res.statusCode).toBe(403);
      expect(body(res)).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    });

    it('should refuse an opaque token with TOKEN_INACTIVE from a real introspection', async () => {
      const before = introspections(proxy);

      const res = await get('/auth/claims', OPAQUE);

      expect(res.statusCode).toBe(401);
      expect(body(res)).toMatchObject({ code: 'TOKEN_INACTIVE' });
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(introspections(proxy) - before).toBe(1);
    });

    it('should introspect a new lightweight token once for 100 concurrent requests, and still once after 10,000', async () => {
      const { access_token } = await lightweightLogin();
      const before = introspections(proxy);
      const claims = () => get('/auth/claims', access_token);

      const first = await Promise.all(Array.from({ length: 100 }, claims));

      expect(first.map((res) => res.statusCode)).toEqual(Array(100).fill(200));
      expect(introspections(proxy) - before).toBe(1);

      const statuses = new Map<number, number>();
      for (let batch = 0; batch < 100; batch++) {
        for (const res of await Promise.all(Array.from({ length: 100 }, claims))) {
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        }
      }
      expect(Object.fromEntries(statuses)).toEqual({ 200: 10_000 });
      expect(introspections(proxy) - before).toBe(1);
    });

    it('should not introspect a full access token (the JWT path)', async () => {
      const { access_token } = await passwordGrant('alice', 'alice-password');
      const before = introspections(proxy);

      const res = await get('/auth/claims', access_token);

      expect(res.statusCode).toBe(200);
      expect(introspections(proxy)).toBe(before);
    });
  });

  describe('AUTH_INTROSPECTION=off', () => {
    const app = appFor({ AUTH_INTROSPECTION: 'off' });
    const get = (url: string, token: string) =>
      app().inject({ method: 'GET', url, headers: bearer(token) });

    it('should refuse a lightweight token, naming the missing audience (the documented refusal)', async () => {
      const { access_token } = await lightweightLogin();

      const res = await get('/auth/me', access_token);

      expect(res.statusCode).toBe(401);
      expect(body(res)).toMatchObject({
        code: 'TOKEN_AUDIENCE_MISMATCH',
        hint: expect.stringContaining('lightweight access token') as string,
      });
    });

    it('should refuse an opaque token as TOKEN_MALFORMED, Keycloak not asked', async () => {
      const before = introspections(proxy);

      const res = await get('/auth/claims', OPAQUE);

      expect(body(res)).toMatchObject({ code: 'TOKEN_MALFORMED' });
      expect(introspections(proxy)).toBe(before);
    });
  });

  describe('AUTH_INTROSPECTION=always with a 2 s cache TTL', () => {
    const app = appFor({ AUTH_INTROSPECTION: 'always', AUTH_INTROSPECTION_CACHE_TTL_S: '2' });
    const get = (url: string, token: string) =>
      app().inject({ method: 'GET', url, headers: bearer(token) });

    it('should refuse an opaque token with TOKEN_INACTIVE', async () => {
      const res = await get('/auth/claims', OPAQUE);

      expect(body(res)).toMatchObject({ code: 'TOKEN_INACTIVE' });
    });

    it('should refuse a token revoked at Keycloak (logout) within 3 s', async () => {
      const tokens = await lightweightLogin();
      const claims = () => get('/auth/claims', tokens.access_token);
      expect((await claims()).statusCode).toBe(200);

      const logout = await fetch(`${kc.realmUrl()}/protocol/openid-connect/logout`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: LIGHT.id,
          client_secret: LIGHT.secret,
          refresh_token: tokens.refresh_token ?? '',
        }),
      });
      expect(logout.status).toBe(204);
      const loggedOut = performance.now();

      let res = await claims();
      while (res.statusCode === 200 && performance.now() - loggedOut < 5_000) {
        await sleep(100);
        res = await claims();
      }
      const seconds = (performance.now() - loggedOut) / 1000;

      expect(body(res)).toMatchObject({ code: 'TOKEN_INACTIVE' });
      expect(seconds).toBeLessThan(3);
    });
  });

  describe('cookie-session mode, the session client issuing lightweight tokens (fallback)', () => {
    let app: TestApp | undefined;
    let bff = '';

    beforeAll(async () => {
      await setLightweight(SESSION_CLIENT.id, true);
      const port = await freePort();
      bff = `http://127.0.0.1:${port}`;
      app = await appBehind(proxy, {
        ...sessionEnv(port),
        REDIS_URL: '',
        AUTH_INTROSPECTION: 'fallback',
      });
      await app.app.listen(port, '127.0.0.1');
    });

    afterAll(async () => {
      await app?.close();
      await setLightweight(SESSION_CLIENT.id, false);
    });

    it("should log alice in, store her lightweight token, and answer her session's requests from one introspection", async () => {
      const jar = new CookieJar();
      const before = introspections(proxy);

      expect((await browserlessLogin(jar, bff)).status).toBe(302);

      const id = jar.get('__Host-bff-session')?.value ?? '';
      const stored = (await app?.app.get(SessionRepository).load(id))?.record.accessToken ?? '';
      expect(decodeJwt(stored).payload.realm_access).toBeUndefined();
      const me = await jar.fetch(`${bff}/auth/me`);
      const users = await jar.fetch(`${bff}/users`);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        preferred_username: 'alice',
        name: 'Alice Liddell',
        roles: expect.arrayContaining(['admin']) as string[],
      });
      expect(users.status).toBe(200);
      // Introspected once, as the login stored the token; the requests used the cached answer.
      expect(introspections(proxy) - before).toBe(1);
    });
  });

  describe('Keycloak unreachable (fallback)', () => {
    it('should keep introspected tokens working, and answer 503 IDP_UNAVAILABLE for new ones', async () => {
      const own = await startProxy(kc.url());
      const app = await appBehind(own, { AUTH_INTROSPECTION: 'fallback' });
      try {
        const [known, unknown] = await Promise.all([lightweightLogin(), lightweightLogin('bob')]);
        const claims = (token: string) =>
          app.inject({ method: 'GET', url: '/auth/claims', headers: bearer(token) });
        expect((await claims(known.access_token)).statusCode).toBe(200);

        await own.close();

        const stillKnown = await claims(known.access_token);
        const fresh = await claims(unknown.access_token);
        expect(stillKnown.statusCode).toBe(200);
        expect(body(stillKnown)).toMatchObject({ claims: { preferred_username: 'alice' } });
        expect(fresh.statusCode).toBe(503);
        expect(body(fresh)).toMatchObject({ code: 'IDP_UNAVAILABLE' });
      } finally {
        await app.close();
      }
    });
  });
});

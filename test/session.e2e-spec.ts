import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/keycloak/distribution';
import { KeycloakTokenClient } from '../src/keycloak/keycloak-token.client';
import { SessionRepository } from '../src/session/session.repository';
import {
  browserlessLogin,
  CookieJar,
  enableRefreshEvents,
  refreshDirectly,
  refreshEventsSince,
  setBackchannelLogoutUrl,
  sessionEnv,
  signInAtKeycloak,
  startLogin,
} from './utils/browserless';
import { adminFetch } from './utils/keycloak';
import { OpenApiValidator, validatingFetches } from './utils/openapi-validator';
import { createValidatedTestApp, type TestApp } from './utils/test-app';

const COOKIE = '__Host-bff-session';
const LOGIN_COOKIE = '__Host-bff-session-login';

describe('Cookie-session mode (memory store)', () => {
  let t: TestApp;
  let bff: string;
  let openApi: OpenApiValidator;
  /** A jar whose every answer from the BFF is validated against the OpenAPI document. */
  const newJar = (): CookieJar => validatingFetches(new CookieJar(), openApi, bff);
  /** Plain fetch (no jar), validated the same way. */
  const plain = () =>
    validatingFetches(
      { fetch: (url: string, init?: RequestInit) => fetch(url, init) },
      openApi,
      bff,
    );

  beforeAll(async () => {
    const port = await freePort();
    bff = `http://127.0.0.1:${port}`;
    t = await createValidatedTestApp({ ...sessionEnv(port), REDIS_URL: undefined });
    await t.app.listen(port, '127.0.0.1');
    openApi = await OpenApiValidator.of(t);
    await setBackchannelLogoutUrl(port);
    await enableRefreshEvents();
  });

  afterAll(async () => {
    await t.close();
  });

  /** A logged-in alice: her jar holds the session cookie. */
  async function loggedIn(): Promise<CookieJar> {
    const jar = newJar();
    const callback = await browserlessLogin(jar, bff);
    expect(callback.status).toBe(302);
    return jar;
  }

  async function sessionRecord(jar: CookieJar) {
    const id = jar.get(COOKIE)?.value ?? '';
    return (await t.app.get(SessionRepository).load(id))?.record;
  }

  describe('login', () => {
    it('should log alice in through Keycloak and set a __Host- cookie with every flag', async () => {
      const jar = newJar();
      const authorizationUrl = await startLogin(jar, bff, '/app/orders?tab=1');

      const authorize = new URL(authorizationUrl);
      expect(authorize.searchParams.get('client_id')).toBe('bff-session');
      expect(authorize.searchParams.get('response_type')).toBe('code');
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
      expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
      expect(authorize.searchParams.get('scope')?.split(' ')).toContain('openid');
      const loginCookie = jar.get(LOGIN_COOKIE);
      expect(loginCookie?.attributes).toMatchObject({ samesite: 'Lax', secure: '', httponly: '' });

      const callbackUrl = await signInAtKeycloak(jar, authorizationUrl, 'alice', 'alice-password');
      expect(callbackUrl.startsWith(`${bff}/auth/callback?`)).toBe(true);
      const callback = await jar.fetch(callbackUrl);

      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/app/orders?tab=1');
      const cookie = jar.get(COOKIE);
      expect(cookie).toBeDefined();
      expect(cookie?.path).toBe('/');
      expect(cookie?.attributes).toMatchObject({ secure: '', httponly: '', samesite: 'Strict' });
      expect(cookie?.attributes.domain).toBeUndefined();
      // An opaque id of 256 bits, never a token.
      expect(cookie?.value).toMatch(/^[\w-]{43}$/);
      expect(jar.get(LOGIN_COOKIE)).toBeUndefined();
    });

    it('should show alice at /auth/session and let her cookie call the admin endpoints', async () => {
      const jar = await loggedIn();

      const session = await jar.fetch(`${bff}/auth/session`);
      expect(session.status).toBe(200);
      const body = (await session.json()) as Record<string, unknown> & {
        user: { claims: Record<string, unknown> };
        roles: string[];
        expiresAt: string;
        logoutUrl: string;
      };
      expect(body.authenticated).toBe(true);
      expect(body.user.claims.preferred_username).toBe('alice');
      expect(body.user.claims.email).toBe('alice@example.com');
      expect(body.roles).toEqual(expect.arrayContaining(['admin', 'user']));
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
      expect(body.logoutUrl).toContain('/protocol/openid-connect/logout');
      expect(body.logoutUrl).not.toContain('id_token_hint');
      expect(JSON.stringify(body)).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);

      const users = await jar.fetch(`${bff}/users?max=5`);
      expect(users.status).toBe(200);
      expect(((await users.json()) as { total: number }).total).toBeGreaterThan(0);
    });

    it('should give a new session id on a new login and drop the old session', async () => {
      const jar = await loggedIn();
      const first = jar.get(COOKIE)?.value ?? '';

      expect((await browserlessLogin(jar, bff)).status).toBe(302);

      const second = jar.get(COOKIE)?.value ?? '';
      expect(second).not.toBe(first);
      expect(await t.app.get(SessionRepository).load(first)).toBeUndefined();
      expect((await jar.fetch(`${bff}/auth/session`)).status).toBe(200);
    });

    it('should refuse a cookie-authenticated POST without X-CSRF', async () => {
      const jar = await loggedIn();

      const res = await jar.fetch(`${bff}/auth/session/logout`, { method: 'POST' });

      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'CSRF_HEADER_MISSING' });
      expect((await jar.fetch(`${bff}/auth/session`)).status).toBe(200);
    });

    it('should let a bearer token win over the cookie: a bad one is refused with its own code, a good one is the caller', async () => {
      const alice = await loggedIn();
      const bob = newJar();
      expect((await browserlessLogin(bob, bff, 'bob', 'bob-password')).status).toBe(302);
      const bobToken = (await sessionRecord(bob))?.accessToken ?? '';

      const bad = await alice.fetch(`${bff}/auth/claims`, {
        headers: { authorization: 'Bearer garbage' },
      });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ code: 'TOKEN_MALFORMED' });
      expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');

      const good = await alice.fetch(`${bff}/auth/claims`, {
        headers: { authorization: `Bearer ${bobToken}` },
      });
      expect(good.status).toBe(200);
      expect(await good.json()).toMatchObject({ claims: { preferred_username: 'bob' } });

      // Without a bearer token, the cookie is the caller again: alice.
      const cookie = await alice.fetch(`${bff}/auth/claims`);
      expect(await cookie.json()).toMatchObject({ claims: { preferred_username: 'alice' } });
    });

    it('should answer /auth/session without a cookie with 401 SESSION_MISSING, not a redirect', async () => {
      const res = await plain().fetch(`${bff}/auth/session`, { redirect: 'manual' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'SESSION_MISSING' });
    });

    it('should answer an unknown session cookie with 401 SESSION_EXPIRED and clear it', async () => {
      const jar = newJar();
      const res = await plain().fetch(`${bff}/auth/session`, {
        headers: { cookie: `${COOKIE}=${'x'.repeat(43)}` },
      });
      jar.store(res);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'SESSION_EXPIRED' });
      expect(res.headers.getSetCookie().join()).toContain(`${COOKIE}=;`);
    });
  });

  describe('refused callbacks', () => {
    it('should refuse a tampered state with LOGIN_STATE_MISMATCH', async () => {
      const jar = newJar();
      const callbackUrl = new URL(
        await signInAtKeycloak(jar, await startLogin(jar, bff), 'alice', 'alice-password'),
      );
      callbackUrl.searchParams.set('state', 'tampered');

      const res = await jar.fetch(callbackUrl.href);

      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'LOGIN_STATE_MISMATCH' });
      expect(jar.get(COOKIE)).toBeUndefined();
    });

    it('should refuse a replayed callback with LOGIN_TRANSACTION_MISSING', async () => {
      const jar = newJar();
      const callbackUrl = await signInAtKeycloak(
        jar,
        await startLogin(jar, bff),
        'alice',
        'alice-password',
      );
      const loginCookie = jar.header(callbackUrl);
      expect((await jar.fetch(callbackUrl)).status).toBe(302);

      // The attacker replays the very same request, login cookie included.
      const replay = await plain().fetch(callbackUrl, {
        headers: { cookie: loginCookie },
        redirect: 'manual',
      });

      expect(replay.status).toBe(400);
      expect(await replay.json()).toMatchObject({ code: 'LOGIN_TRANSACTION_MISSING' });
      const sessionCookies = replay.headers
        .getSetCookie()
        .filter((c) => c.startsWith(`${COOKIE}=`) && !c.startsWith(`${COOKIE}=;`));
      expect(sessionCookies).toEqual([]);
    });

    it('should refuse an ID token whose nonce is not the one the login sent', async () => {
      const jar = newJar();
      const authorizationUrl = new URL(await startLogin(jar, bff));
      authorizationUrl.searchParams.set('nonce', 'a-nonce-from-another-login');
      const callbackUrl = await signInAtKeycloak(
        jar,
        authorizationUrl.href,
        'alice',
        'alice-password',
      );

      const res = await jar.fetch(callbackUrl);

      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'NONCE_MISMATCH' });
      expect(jar.get(COOKIE)).toBeUndefined();
    });

    it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example'])(
      'should refuse returnTo=%s with INVALID_RETURN_TO',
      async (returnTo) => {
        const res = await plain().fetch(
          `${bff}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
          {
            redirect: 'manual',
          },
        );
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: 'INVALID_RETURN_TO' });
      },
    );

    it('should accept an allow-listed origin as returnTo', async () => {
      const jar = newJar();
      const callback = await browserlessLogin(
        jar,
        bff,
        'alice',
        'alice-password',
        'http://127.0.0.1:5173/app',
      );
      expect(callback.headers.get('location')).toBe('http://127.0.0.1:5173/app');
    });

    it("should turn Keycloak's access_denied into LOGIN_DENIED and a restartable error into one new login", async () => {
      const jar = newJar();
      const state = new URL(await startLogin(jar, bff, '/back')).searchParams.get('state') ?? '';
      const denied = await jar.fetch(
        `${bff}/auth/callback?error=access_denied&error_description=nope&state=${state}`,
      );
      expect(denied.status).toBe(403);
      expect(await denied.json()).toMatchObject({
        code: 'LOGIN_DENIED',
        upstream: { error: 'access_denied' },
      });

      const state2 = new URL(await startLogin(jar, bff, '/back')).searchParams.get('state') ?? '';
      const expired = await jar.fetch(
        `${bff}/auth/callback?error=temporarily_unavailable&state=${state2}`,
      );
      expect(expired.status).toBe(302);
      expect(expired.headers.get('location')).toBe('/auth/login?returnTo=%2Fback&restarted=1');

      // The restarted login fails the same way: a named error, not another round.
      const again = await jar.fetch(`${bff}${expired.headers.get('location') ?? ''}`);
      const state3 = new URL(again.headers.get('location') ?? '').searchParams.get('state') ?? '';
      const twice = await jar.fetch(
        `${bff}/auth/callback?error=temporarily_unavailable&state=${state3}`,
      );
      expect(twice.status).toBe(503);
      expect(await twice.json()).toMatchObject({
        code: 'LOGIN_RETRY_FAILED',
        upstream: { error: 'temporarily_unavailable' },
      });
    });

    it('should percent-encode a non-Latin-1 returnTo instead of failing after login', async () => {
      const jar = newJar();
      const callback = await browserlessLogin(jar, bff, 'alice', 'alice-password', '/€\u2028');
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/%E2%82%AC%E2%80%A8');
    });
  });

  describe('refresh', () => {
    it('should keep working past the 10 s access-token expiry with exactly one refresh for 20 concurrent calls', async () => {
      const jar = await loggedIn();
      const before = await sessionRecord(jar);
      expect(before).toBeDefined();
      const lifetime = before?.accessLifetimeMs ?? 0;
      expect(lifetime).toBe(10_000);
      // Watches the real client: every refresh grant this BFF makes goes through it.
      const refreshGrant = jest.spyOn(t.app.get(KeycloakTokenClient), 'refreshGrant');

      // Until the refresh is due (5 s before expiry), nothing refreshes.
      expect((await jar.fetch(`${bff}/users?max=1`)).status).toBe(200);
      expect(refreshGrant).not.toHaveBeenCalled();

      await sleep((before?.accessExpiresAt ?? 0) - Date.now() - 4_000);
      const since = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => jar.fetch(`${bff}/users?max=1`)),
      );

      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(refreshGrant).toHaveBeenCalledTimes(1);
      expect(await refreshEventsSince(since)).toBe(1);
      const after = await sessionRecord(jar);
      expect(after?.accessToken).not.toBe(before?.accessToken);

      // Well past the first token's expiry, the session still works.
      await sleep((before?.accessExpiresAt ?? 0) - Date.now() + 3_000);
      expect((await jar.fetch(`${bff}/users?max=1`)).status).toBe(200);
      expect((await jar.fetch(`${bff}/auth/session`)).status).toBe(200);
    }, 40_000);

    it('should end the session with 401 SESSION_EXPIRED when Keycloak refuses the refresh', async () => {
      const jar = await loggedIn();
      const repository = t.app.get(SessionRepository);
      const session = await repository.load(jar.get(COOKIE)?.value ?? '');
      if (!session) {
        throw new Error('no session after login');
      }
      // A refresh token Keycloak will refuse (its signature no longer matches), due now.
      await repository.save({
        key: session.key,
        record: {
          ...session.record,
          refreshToken: `${session.record.refreshToken ?? ''}x`,
          accessExpiresAt: Date.now(),
        },
      });

      const res = await jar.fetch(`${bff}/users?max=1`);

      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'SESSION_EXPIRED' });
      expect(jar.get(COOKIE)).toBeUndefined();
      expect(await repository.loadKey(session.key)).toBeUndefined();
    });
  });

  describe('logout', () => {
    it('should end the Keycloak session, destroy the server session and clear the cookie', async () => {
      const jar = await loggedIn();
      const cookie = jar.header(`${bff}/`);
      const record = await sessionRecord(jar);

      const res = await jar.fetch(`${bff}/auth/session/logout`, {
        method: 'POST',
        headers: { 'x-csrf': '1' },
      });

      expect(res.status).toBe(200);
      const { logoutUrl } = (await res.json()) as { logoutUrl: string };
      const url = new URL(logoutUrl);
      expect(url.pathname).toMatch(/\/protocol\/openid-connect\/logout$/);
      // No token reaches the browser, not even the ID token as a logout hint (issue 12).
      expect(logoutUrl).not.toContain(record?.idToken ?? '<no id token>');
      expect(url.searchParams.get('id_token_hint')).toBeNull();
      expect(url.searchParams.get('client_id')).toBe('bff-session');
      expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${bff}/`);
      // Keycloak accepts it as it is: straight back to the post-logout URI, no confirmation page.
      const navigated = await jar.fetch(logoutUrl);
      expect(navigated.status).toBe(302);
      expect(navigated.headers.get('location')).toBe(`${bff}/`);
      expect(jar.get(COOKIE)).toBeUndefined();
      const refused = await refreshDirectly(record?.refreshToken ?? '');
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
      const again = await plain().fetch(`${bff}/auth/session`, { headers: { cookie } });
      expect(again.status).toBe(401);
    });

    it("should end alice's BFF session when an admin logs her out in Keycloak (back-channel)", async () => {
      const jar = await loggedIn();
      expect((await jar.fetch(`${bff}/auth/session`)).status).toBe(200);
      const users = (await (
        await adminFetch('/realms/demo/users?username=alice&exact=true')
      ).json()) as { id: string }[];

      const res = await adminFetch(`/realms/demo/users/${users[0]?.id ?? ''}/logout`, {
        method: 'POST',
      });
      expect(res.status).toBe(204);

      // Keycloak posts the logout token before the admin call returns.
      const after = await jar.fetch(`${bff}/auth/session`);
      expect(after.status).toBe(401);
      expect(await after.json()).toMatchObject({ code: 'SESSION_EXPIRED' });
    });

    it('should refuse a forged logout token with 400 LOGOUT_TOKEN_INVALID', async () => {
      const res = await plain().fetch(`${bff}/auth/backchannel-logout`, {
        method: 'POST',
        body: new URLSearchParams({ logout_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'LOGOUT_TOKEN_INVALID' });
    });
  });
});

import { randomBytes } from 'node:crypto';
import { automock } from '../../test/utils/automock';
import { RedirectUriRegistration } from './redirect-uri-registration';
import { parseSetCookie } from '../../test/utils/browserless';
import {
  type ControllerApp,
  createControllerApp,
  loginThrottling,
} from '../../test/utils/controller-app';
import { LoginThrottlerGuard } from '../auth/guards/login-throttler.guard';
import { LoginFlowService } from './login-flow.service';
import { SessionAuthenticator } from './session-authenticator';
import { clearingHeaders } from './session-cookies';
import { SessionController } from './session.controller';
import { SessionError } from './session.errors';
import { SessionService } from './session.service';
import type { LoadedSession } from './session.types';

const PROBLEM = 'application/problem+json; charset=utf-8';
const COOKIE = '__Host-bff-session';
const LOGIN_COOKIE = '__Host-bff-session-login';
const AUTHORIZATION_URL = 'http://kc.test/realms/demo/protocol/openid-connect/auth?state=s';
const SESSION: LoadedSession = {
  key: 's:key',
  lastSeenAt: 0,
  record: {
    sub: 'alice',
    accessToken: 'a',
    accessExpiresAt: 0,
    accessLifetimeMs: 300_000,
    createdAt: 0,
    userClaims: { sub: 'alice' },
  },
};

/** The Set-Cookie lines of a response, by cookie name. */
function cookiesOf(res: { headers: Record<string, unknown> }) {
  const header = res.headers['set-cookie'];
  const lines = header === undefined ? [] : ([] as string[]).concat(header as string | string[]);
  return new Map(lines.map((line) => [parseSetCookie(line).name, parseSetCookie(line)]));
}

describe(SessionController.name, () => {
  let app: ControllerApp;
  let service: ReturnType<typeof automock<SessionService>>;
  let login: ReturnType<typeof automock<LoginFlowService>>;
  let authenticator: ReturnType<typeof automock<SessionAuthenticator>>;

  beforeEach(async () => {
    service = automock(SessionService, { requireEnabled: () => undefined });
    login = automock(LoginFlowService);
    authenticator = automock(SessionAuthenticator);
    app = await createControllerApp(
      {
        imports: [loginThrottling(100)],
        controllers: [SessionController],
        providers: [
          { provide: SessionService, useValue: service },
          { provide: LoginFlowService, useValue: login },
          { provide: SessionAuthenticator, useValue: authenticator },
          {
            provide: RedirectUriRegistration,
            useValue: automock(RedirectUriRegistration, {
              ensureRegistered: () => Promise.resolve(),
            }),
          },
          LoginThrottlerGuard,
        ],
      },
      {
        SESSION_ENABLED: 'true',
        SESSION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        SESSION_REDIRECT_URI: 'http://127.0.0.1:3000/auth/callback',
      },
    );
  });
  afterEach(async () => {
    await app.close();
  });

  describe('GET /auth/login', () => {
    it('should redirect to Keycloak with no-store and a Lax, Secure, HttpOnly login cookie', async () => {
      login.start.mockResolvedValue({ url: AUTHORIZATION_URL, transactionId: 'tx-1' });

      const res = await app.inject({ method: 'GET', url: '/auth/login?returnTo=%2Forders' });

      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe(AUTHORIZATION_URL);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(cookiesOf(res).get(LOGIN_COOKIE)).toEqual({
        name: LOGIN_COOKIE,
        value: 'tx-1',
        path: '/',
        attributes: { 'max-age': '300', path: '/', httponly: '', secure: '', samesite: 'Lax' },
      });
      expect(login.start).toHaveBeenCalledWith('/orders', '127.0.0.1', false, {});
    });

    it('should tell the flow that a login is a restart only for restarted=1', async () => {
      login.start.mockResolvedValue({ url: AUTHORIZATION_URL, transactionId: 'tx-1' });

      expect((await app.inject({ method: 'GET', url: '/auth/login?restarted=1' })).statusCode).toBe(
        302,
      );
      expect(login.start).toHaveBeenCalledWith(undefined, '127.0.0.1', true, {});

      const refused = await app.inject({ method: 'GET', url: '/auth/login?restarted=yes' });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('should pass prompt and max_age on, and refuse values OIDC does not define for them', async () => {
      login.start.mockResolvedValue({ url: AUTHORIZATION_URL, transactionId: 'tx-1' });

      const res = await app.inject({ method: 'GET', url: '/auth/login?prompt=none&max_age=60' });
      expect(res.statusCode).toBe(302);
      expect(login.start).toHaveBeenCalledWith(undefined, '127.0.0.1', false, {
        prompt: 'none',
        maxAge: '60',
      });

      for (const query of ['prompt=consent', 'prompt=', 'max_age=-1', 'max_age=1e3']) {
        const refused = await app.inject({ method: 'GET', url: `/auth/login?${query}` });
        expect(refused.statusCode).toBe(400);
        expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });

    it('should answer 404 SESSION_MODE_DISABLED, setting no cookie, while the mode is off', async () => {
      service.requireEnabled.mockImplementation(() => {
        throw new SessionError('SESSION_MODE_DISABLED', 'The cookie-session mode is off');
      });

      const res = await app.inject({ method: 'GET', url: '/auth/login' });

      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json()).toMatchObject({ code: 'SESSION_MODE_DISABLED' });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(login.start).not.toHaveBeenCalled();
    });
  });

  describe('GET /auth/callback', () => {
    const callback = (cookie: string) =>
      app.inject({
        method: 'GET',
        url: '/auth/callback?code=c&state=s&session_state=x&iss=http%3A%2F%2Fkc.test',
        headers: { cookie },
      });

    it('should set a Strict session cookie, clear the login cookie and redirect to returnTo', async () => {
      login.finish.mockResolvedValue({ kind: 'session', sessionId: 'sid-1', returnTo: '/orders' });
      service.discard.mockResolvedValue(undefined);

      const res = await callback(`${LOGIN_COOKIE}=tx-1; ${COOKIE}=old-1; ${COOKIE}=old-2`);

      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/orders');
      expect(res.headers['cache-control']).toBe('no-store');
      const cookies = cookiesOf(res);
      expect(cookies.get(COOKIE)).toEqual({
        name: COOKIE,
        value: 'sid-1',
        path: '/',
        attributes: { 'max-age': '36000', path: '/', httponly: '', secure: '', samesite: 'Strict' },
      });
      expect(cookies.get(LOGIN_COOKIE)).toMatchObject({
        value: '',
        attributes: { 'max-age': '0', secure: '', httponly: '', samesite: 'Lax' },
      });
      expect(login.finish).toHaveBeenCalledWith(
        { code: 'c', state: 's', session_state: 'x', iss: 'http://kc.test' },
        ['tx-1'],
      );
      // Session fixation: every session the browser had before is dropped.
      expect(service.discard).toHaveBeenCalledWith(['old-1', 'old-2']);
    });

    it('should send a login Keycloak could not finish round again, with no session cookie', async () => {
      login.finish.mockResolvedValue({ kind: 'restart', returnTo: '/a b' });

      const res = await callback(`${LOGIN_COOKIE}=tx-1`);

      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/auth/login?returnTo=%2Fa%20b&restarted=1');
      expect(cookiesOf(res).has(COOKIE)).toBe(false);
      expect(service.discard).not.toHaveBeenCalled();
    });

    it('should send a silent login that needs the user back to returnTo, with no session cookie', async () => {
      login.finish.mockResolvedValue({
        kind: 'silent-failed',
        returnTo: '/app?error=login_required',
      });

      const res = await callback(`${LOGIN_COOKIE}=tx-1`);

      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/app?error=login_required');
      expect(cookiesOf(res).has(COOKIE)).toBe(false);
      expect(service.discard).not.toHaveBeenCalled();
    });

    it('should answer a refused callback with its problem and still clear the login cookie', async () => {
      login.finish.mockRejectedValue(
        new SessionError('LOGIN_STATE_MISMATCH', 'The state does not match the pending login'),
      );

      const res = await callback(`${LOGIN_COOKIE}=tx-1`);

      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json()).toMatchObject({
        code: 'LOGIN_STATE_MISMATCH',
        instance: '/auth/callback',
      });
      expect(cookiesOf(res).get(LOGIN_COOKIE)).toMatchObject({ value: '' });
    });

    it('should refuse an unknown query parameter with 400 before the flow is asked', async () => {
      const res = await app.inject({ method: 'GET', url: '/auth/callback?code=c&evil=1' });

      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(login.finish).not.toHaveBeenCalled();
    });
  });

  describe('GET /auth/session', () => {
    it('should describe the resumed session with no-store', async () => {
      authenticator.load.mockResolvedValue(SESSION);
      authenticator.resume.mockResolvedValue(SESSION);
      service.describe.mockResolvedValue({
        authenticated: true,
        user: { claims: { sub: 'alice' } },
        roles: [],
        expiresAt: '2030-01-01T00:00:00.000Z',
        logoutUrl: null,
      });

      const res = await app.inject({
        method: 'GET',
        url: '/auth/session',
        headers: { cookie: `${COOKIE}=sid-1` },
      });

      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toMatchObject({ authenticated: true, user: { claims: { sub: 'alice' } } });
      expect(authenticator.resume).toHaveBeenCalledWith(SESSION);
      expect(service.describe).toHaveBeenCalledWith(SESSION);
    });

    it('should answer an ended session with 401 SESSION_EXPIRED and the header that clears the cookie', async () => {
      authenticator.load.mockRejectedValue(
        new SessionError('SESSION_EXPIRED', 'The session has ended', {
          headers: clearingHeaders(COOKIE, 'strict'),
        }),
      );

      const res = await app.inject({
        method: 'GET',
        url: '/auth/session',
        headers: { cookie: `${COOKIE}=gone` },
      });

      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'SESSION_EXPIRED' });
      expect(cookiesOf(res).get(COOKIE)).toMatchObject({
        value: '',
        attributes: { 'max-age': '0', samesite: 'Strict', secure: '', httponly: '' },
      });
    });

    it('should answer 503 SESSION_STORE_UNAVAILABLE when the store fails, keeping the cookie', async () => {
      authenticator.load.mockRejectedValue(
        new SessionError('SESSION_STORE_UNAVAILABLE', 'The session store (Redis) failed: get'),
      );

      const res = await app.inject({
        method: 'GET',
        url: '/auth/session',
        headers: { cookie: `${COOKIE}=sid-1` },
      });

      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('POST /auth/session/logout', () => {
    it('should refuse a logout without the CSRF header with 403, ending nothing', async () => {
      authenticator.checkCsrf.mockImplementation(() => {
        throw new SessionError('CSRF_HEADER_MISSING', 'POST with a session cookie needs x-csrf');
      });

      const res = await app.inject({
        method: 'POST',
        url: '/auth/session/logout',
        headers: { cookie: `${COOKIE}=sid-1` },
      });

      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'CSRF_HEADER_MISSING' });
      expect(service.logout).not.toHaveBeenCalled();
    });

    it("should end the session, clear the cookie and answer Keycloak's logout URL", async () => {
      authenticator.checkCsrf.mockReturnValue(undefined);
      authenticator.load.mockResolvedValue(SESSION);
      service.logout.mockResolvedValue('http://kc.test/logout?client_id=bff');

      const res = await app.inject({
        method: 'POST',
        url: '/auth/session/logout',
        headers: { cookie: `${COOKIE}=sid-1`, 'x-csrf': '1' },
      });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ logoutUrl: 'http://kc.test/logout?client_id=bff' });
      expect(cookiesOf(res).get(COOKIE)).toMatchObject({
        value: '',
        attributes: { 'max-age': '0', samesite: 'Strict', secure: '', httponly: '' },
      });
      expect(service.logout).toHaveBeenCalledWith(SESSION);
    });
  });

  describe('POST /auth/backchannel-logout', () => {
    const backchannel = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/auth/backchannel-logout',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      });

    it('should end the sessions the logout token names and answer 200 with no-store', async () => {
      service.backchannelLogout.mockResolvedValue(1);

      const res = await backchannel('logout_token=eyJ.x.y');

      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(service.backchannelLogout).toHaveBeenCalledWith('eyJ.x.y');
    });

    it('should refuse a form without logout_token with 400, and a bad token with its code', async () => {
      const missing = await backchannel('other=1');
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({ code: 'VALIDATION_FAILED' });

      service.backchannelLogout.mockRejectedValue(
        new SessionError('LOGOUT_TOKEN_INVALID', 'The logout token has no events claim'),
      );
      const bad = await backchannel('logout_token=bad');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'LOGOUT_TOKEN_INVALID' });
    });
  });
});

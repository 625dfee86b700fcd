import { sign } from 'jsonwebtoken';
import passport from 'passport';
import {
  cookieRequest as request,
  SESSION_TEST_CONFIG as CONFIG,
  sessionCookieFixture,
} from '../../test/utils/session-fixture';
import { automock } from '../../test/utils/automock';
import type { SessionConfig } from '../config/session.config';
import { IntrospectedTokens } from '../keycloak/introspected-tokens';
import { SESSION_COOKIE_STRATEGY, SessionCookieStrategy } from './session-cookie.strategy';
import type { CookieCarrier } from './session-cookies';

const ACCESS = sign(
  { sub: 'alice', realm_access: { roles: ['admin'] }, resource_access: { api: { roles: ['r'] } } },
  'test',
);
const TOKENS = { access_token: ACCESS, expires_in: 300, token_type: 'Bearer', refresh_token: 'r' };

interface Outcome {
  err: unknown;
  user: unknown;
}

/** Runs the registered strategy as the guard's pipeline would, and says what it answered. */
function authenticate(req: CookieCarrier): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const middleware = passport.authenticate(
      SESSION_COOKIE_STRATEGY,
      { session: false },
      (err: unknown, user: unknown) => resolve({ err, user }),
    ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
    middleware(req, {}, reject);
  });
}

function setup(config: SessionConfig = CONFIG, introspected = introspectionOff()) {
  const { repository, fresh, authenticator } = sessionCookieFixture(config);
  // Registers itself with passport under SESSION_COOKIE_STRATEGY, as in the app.
  new SessionCookieStrategy(authenticator, introspected);
  return { repository, fresh, load: jest.spyOn(repository, 'load') };
}

/** AUTH_INTROSPECTION=off: the caller comes from the stored access token alone. */
function introspectionOff(): IntrospectedTokens {
  return automock(IntrospectedTokens, { wants: () => false });
}

describe(SessionCookieStrategy.name, () => {
  it('should pass a request without the cookie on to the next source (fail), reading nothing', async () => {
    const { load } = setup();

    const outcome = await authenticate(request('GET', {}));

    expect(outcome).toEqual({ err: null, user: false });
    expect(load).not.toHaveBeenCalled();
  });

  it('should not see the cookie while the session mode is off', async () => {
    setup({ ...CONFIG, enabled: false });

    expect(await authenticate(request('GET', {}, 'id'))).toEqual({ err: null, user: false });
  });

  it('should check CSRF first: a POST without the header is refused before the store is read', async () => {
    const { load } = setup();

    const { err } = await authenticate(request('POST', {}, 'id'));

    expect(err).toMatchObject({ code: 'CSRF_HEADER_MISSING', status: 403 });
    expect(load).not.toHaveBeenCalled();
  });

  it('should turn a live session into its caller: roles, the stored token, marked as a session', async () => {
    const { repository, fresh } = setup();
    const id = await repository.create(TOKENS, { sub: 'alice' });
    const touch = jest.spyOn(repository, 'touch');

    const { err, user } = await authenticate(request('POST', { 'x-csrf': '1' }, id));

    expect(err).toBeNull();
    expect(user).toMatchObject({
      claims: { sub: 'alice' },
      roles: ['admin', 'api:r'],
      accessToken: ACCESS,
      viaSession: true,
    });
    expect(fresh).toHaveBeenCalledTimes(1);
    expect(touch).toHaveBeenCalledTimes(1);
  });

  it('should refuse a cookie that names no session with SESSION_EXPIRED, clearing it', async () => {
    setup();

    const { err } = await authenticate(request('GET', {}, 'unknown'));

    expect(err).toMatchObject({
      code: 'SESSION_EXPIRED',
      status: 401,
      headers: { 'set-cookie': expect.stringContaining('__Host-bff-session=;') as string },
    });
  });

  it("should describe a session's lightweight access token by its introspection, as the bearer source does", async () => {
    const introspected = automock(IntrospectedTokens, {
      wants: () => true,
      claimsOf: () =>
        Promise.resolve({ sub: 'alice', exp: 9e9, realm_access: { roles: ['admin'] } }),
    });
    const { repository } = setup(CONFIG, introspected);
    const id = await repository.create(TOKENS, { sub: 'alice' });

    const { err, user } = await authenticate(request('GET', {}, id));

    expect(err).toBeNull();
    expect(user).toMatchObject({
      claims: { sub: 'alice' },
      roles: ['admin'],
      accessToken: ACCESS,
      viaSession: true,
      introspected: true,
    });
    expect(introspected.claimsOf).toHaveBeenCalledWith(ACCESS);
  });
});

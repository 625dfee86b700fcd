import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sign } from 'jsonwebtoken';
import passport from 'passport';
import { cookieRequest } from '../../test/utils/cookie-request';
import { SystemClock } from '../common/clock/clock';
import type { SessionConfig } from '../config/session.config';
import { SessionAuthenticator } from './session-authenticator';
import { SESSION_COOKIE_STRATEGY, SessionCookieStrategy } from './session-cookie.strategy';
import type { SessionRefresher } from './session-refresher';
import { SessionSealer } from './session-sealer';
import { SessionRepository } from './session.repository';
import type { LoadedSession } from './session.types';
import { MemorySessionStore } from './store/memory-session.store';

const CONFIG = {
  enabled: true,
  encryptionKeys: [randomBytes(32)],
  cookieName: '__Host-bff-session',
  sameSite: 'strict',
  csrfHeader: 'x-csrf',
  idleTimeoutMs: 1_800_000,
  absoluteTimeoutMs: 36_000_000,
} as SessionConfig;

const ACCESS = sign(
  { sub: 'alice', realm_access: { roles: ['admin'] }, resource_access: { api: { roles: ['r'] } } },
  'test',
);
const TOKENS = { access_token: ACCESS, expires_in: 300, token_type: 'Bearer', refresh_token: 'r' };

const request = (method: string, headers: Record<string, string>, ...cookies: string[]) =>
  cookieRequest(CONFIG.cookieName, method, headers, ...cookies);

interface Outcome {
  err: unknown;
  user: unknown;
}

/** Runs the registered strategy as the guard's pipeline would, and says what it answered. */
function authenticate(req: FastifyRequest): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const middleware = passport.authenticate(
      SESSION_COOKIE_STRATEGY,
      { session: false },
      (err: unknown, user: unknown) => resolve({ err, user }),
    ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
    middleware(req, {}, reject);
  });
}

function setup(config: SessionConfig = CONFIG) {
  const clock = new SystemClock();
  const store = new MemorySessionStore(clock);
  const repository = new SessionRepository(clock, store, new SessionSealer(config), config);
  const fresh = jest.fn((s: LoadedSession) => Promise.resolve(s));
  const cookie = new SessionAuthenticator(
    repository,
    { fresh } as unknown as SessionRefresher,
    config,
  );
  // Registers itself with passport under SESSION_COOKIE_STRATEGY, as in the app.
  new SessionCookieStrategy(cookie);
  return { repository, fresh, load: jest.spyOn(repository, 'load') };
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
});

import { randomBytes } from 'node:crypto';
import { SystemClock } from '../../src/common/clock/clock';
import type { SessionConfig } from '../../src/config/session.config';
import { SessionAuthenticator } from '../../src/session/session-authenticator';
import type { CookieCarrier } from '../../src/session/session-cookies';
import { SessionRefresher } from '../../src/session/session-refresher';
import { SessionSealer } from '../../src/session/session-sealer';
import { SessionRepository } from '../../src/session/session.repository';
import type { LoadedSession } from '../../src/session/session.types';
import { MemorySessionStore } from '../../src/session/store/memory-session.store';
import { automock } from './automock';

/** A whole session configuration for unit specs: SESSION_* defaults, a random key, `overrides`. */
export function sessionTestConfig(overrides: Partial<SessionConfig> = {}): SessionConfig {
  return {
    enabled: true,
    encryptionKeys: [randomBytes(32)],
    redirectUri: 'http://127.0.0.1:3000/auth/callback',
    postLogoutRedirectUri: undefined,
    cookieName: '__Host-bff-session',
    loginCookieName: '__Host-bff-session-login',
    sameSite: 'strict',
    idleTimeoutMs: 1_800_000,
    absoluteTimeoutMs: 36_000_000,
    returnToOrigins: [],
    csrfHeader: 'x-csrf',
    scope: 'openid profile email',
    refreshBeforeMs: 5_000,
    refreshLockMs: 10_000,
    redisPrefix: 'keycloak-bff:session:',
    loginTimeoutMs: 300_000,
    pendingLoginsPerIp: 20,
    ...overrides,
  };
}

/** The session mode as unit specs of the cookie's steps see it. */
export const SESSION_TEST_CONFIG = sessionTestConfig();

/**
 * The session cookie's steps over the in-memory store, the refresher replaced by `fresh` (which
 * hands the session back unchanged unless a test says otherwise).
 */
export function sessionCookieFixture(config: SessionConfig = SESSION_TEST_CONFIG) {
  const clock = new SystemClock();
  const repository = new SessionRepository(
    clock,
    new MemorySessionStore(clock),
    new SessionSealer(config),
    config,
  );
  const fresh = jest.fn((s: LoadedSession) => Promise.resolve(s));
  const authenticator = new SessionAuthenticator(
    repository,
    automock(SessionRefresher, { fresh }),
    config,
  );
  return { repository, fresh, authenticator };
}

/** A request as the cookie's steps read it: the raw Cookie header with every value given. */
export function cookieRequest(
  method: string,
  headers: Record<string, string>,
  ...cookies: string[]
): CookieCarrier {
  const name = SESSION_TEST_CONFIG.cookieName;
  return {
    method,
    headers:
      cookies.length === 0
        ? headers
        : { ...headers, cookie: cookies.map((c) => `${name}=${c}`).join('; ') },
  };
}

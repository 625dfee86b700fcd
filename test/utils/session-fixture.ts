import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SystemClock } from '../../src/common/clock/clock';
import type { SessionConfig } from '../../src/config/session.config';
import { SessionAuthenticator } from '../../src/session/session-authenticator';
import type { SessionRefresher } from '../../src/session/session-refresher';
import { SessionSealer } from '../../src/session/session-sealer';
import { SessionRepository } from '../../src/session/session.repository';
import type { LoadedSession } from '../../src/session/session.types';
import { MemorySessionStore } from '../../src/session/store/memory-session.store';

/** The session mode as unit specs of the cookie's steps see it. */
export const SESSION_TEST_CONFIG = {
  enabled: true,
  encryptionKeys: [randomBytes(32)],
  cookieName: '__Host-bff-session',
  sameSite: 'strict',
  csrfHeader: 'x-csrf',
  idleTimeoutMs: 1_800_000,
  absoluteTimeoutMs: 36_000_000,
} as SessionConfig;

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
    { fresh } as unknown as SessionRefresher,
    config,
  );
  return { repository, fresh, authenticator };
}

/**
 * A request as Fastify hands it to a guard: the raw Cookie header with every value sent under
 * the session cookie's name, and @fastify/cookie's parse, which keeps only the first.
 */
export function cookieRequest(
  method: string,
  headers: Record<string, string>,
  ...cookies: string[]
): FastifyRequest {
  const name = SESSION_TEST_CONFIG.cookieName;
  const [first] = cookies;
  return {
    method,
    headers:
      cookies.length === 0
        ? headers
        : { ...headers, cookie: cookies.map((c) => `${name}=${c}`).join('; ') },
    cookies: first === undefined ? {} : { [name]: first },
  } as unknown as FastifyRequest;
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config/session.config';
import {
  clearingHeaders,
  type CookieCarrier,
  MAX_SESSION_COOKIE_VALUES,
  readCookies,
} from './session-cookies';
import { SessionRefresher } from './session-refresher';
import { SessionError } from './session.errors';
import { SessionRepository } from './session.repository';
import type { LoadedSession } from './session.types';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session cookie's steps, used by the cookie credential source (SessionCookieStrategy) and
 * by the session routes: is there a cookie, does the request prove it comes from our script,
 * which live session does it name, and that session made current (refreshed when due, marked as
 * used). A refusal that ends the session carries the header that clears the cookie.
 */
@Injectable()
export class SessionAuthenticator {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly refresher: SessionRefresher,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  /** Whether the request carries the session cookie (never while the session mode is off). */
  hasCookie(request: CookieCarrier): boolean {
    return this.config.enabled && readCookies(request, this.config.cookieName).length > 0;
  }

  /**
   * A cookie is sent by the browser on its own, so a state-changing request must also prove it
   * comes from our script: a custom header, which a cross-site form cannot set and a
   * cross-origin fetch can only send after a CORS preflight we refuse.
   */
  checkCsrf(request: CookieCarrier): void {
    if (
      !SAFE_METHODS.has(request.method) &&
      request.headers[this.config.csrfHeader] === undefined
    ) {
      throw new SessionError(
        'CSRF_HEADER_MISSING',
        `${request.method} with a session cookie needs the ${this.config.csrfHeader} header`,
        { hint: `Send '${this.config.csrfHeader}: 1' on every non-GET request from the SPA.` },
      );
    }
  }

  /**
   * The session behind the cookie, or 401 SESSION_MISSING / SESSION_EXPIRED (cookie cleared).
   * Every value sent under the cookie's name is tried, first to last: a bogus duplicate placed
   * ahead of the real cookie neither hides nor clears it.
   */
  async load(request: CookieCarrier): Promise<LoadedSession> {
    const ids = readCookies(request, this.config.cookieName);
    if (ids.length === 0) {
      throw new SessionError('SESSION_MISSING', 'No session cookie was sent', {
        hint: missingCookieHint(request),
      });
    }
    for (const id of ids.slice(0, MAX_SESSION_COOKIE_VALUES)) {
      const session = await this.sessions.load(id);
      if (session) {
        return session;
      }
    }
    throw new SessionError(
      'SESSION_EXPIRED',
      'The session has ended (logout, timeout, or Keycloak ended it)',
      {
        hint: 'Log in again (GET /auth/login).',
        // Clearing hits our own cookie, the likeliest real one: only once every value was tried.
        headers: ids.length <= MAX_SESSION_COOKIE_VALUES ? this.clearing() : undefined,
      },
    );
  }

  /** The loaded session, refreshed when due and marked as used; a refresh that ends it clears the cookie. */
  async resume(loaded: LoadedSession): Promise<LoadedSession> {
    let session: LoadedSession;
    try {
      session = await this.refresher.fresh(loaded);
    } catch (err: unknown) {
      if (err instanceof SessionError && err.code === 'SESSION_EXPIRED') {
        throw new SessionError('SESSION_EXPIRED', err.detail, {
          hint: err.hint,
          upstream: err.upstream,
          cause: err,
          headers: { ...err.headers, ...this.clearing() },
        });
      }
      throw err;
    }
    await this.sessions.touch(session);
    return session;
  }

  private clearing(): Record<string, string> {
    return clearingHeaders(this.config.cookieName, this.config.sameSite);
  }
}

/** The host name of a URL-valued header, or undefined for a missing or unparsable one. */
function hostnameOf(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  try {
    return new URL(value).hostname;
  } catch {
    return undefined;
  }
}

/**
 * A page on `localhost` calling the BFF on `127.0.0.1` (or the reverse) never sends the cookie:
 * cookies are per host name (RFC 6265 §5.3, host-only for `__Host-`), and `SameSite=Strict`
 * holds it back from another site. The port does not matter to either, so only host names are
 * compared. Origin is sent on cross-origin fetches (RFC 6454 §7), Referer on most others.
 */
export function missingCookieHint(request: Pick<CookieCarrier, 'headers'>): string {
  const login = 'Log in through GET /auth/login.';
  const bff = hostnameOf(`http://${request.headers.host ?? ''}`);
  const page = hostnameOf(request.headers.origin) ?? hostnameOf(request.headers.referer);
  if (bff === undefined || page === undefined || bff === page) {
    return login;
  }
  return `${login} The page is on ${page} but the BFF on ${bff}: the browser keeps cookies per host name, so a session cookie set for ${bff} is never sent from ${page}. Open the page and the BFF under the same host name (both localhost or both 127.0.0.1).`;
}

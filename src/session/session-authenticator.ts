import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { sessionConfig } from '../config/session.config';
import { sessionCallerOf } from './session-claims';
import { clearCookie, MAX_SESSION_COOKIE_VALUES, readCookies } from './session-cookies';
import { SessionRefresher } from './session-refresher';
import { SessionError } from './session.errors';
import { SessionRepository } from './session.repository';
import type { LoadedSession } from './session.types';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionAuthentication {
  user: AuthenticatedUser;
  session: LoadedSession;
}

/** Turns the session cookie into the caller, the way the bearer guard turns a token into one. */
@Injectable()
export class SessionAuthenticator {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly refresher: SessionRefresher,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  hasCookie(request: FastifyRequest): boolean {
    return this.enabled && readCookies(request, this.config.cookieName).length > 0;
  }

  /**
   * A cookie is sent by the browser on its own, so a state-changing request must also prove it
   * comes from our script: a custom header, which a cross-site form cannot set and a
   * cross-origin fetch can only send after a CORS preflight we refuse.
   */
  checkCsrf(request: FastifyRequest): void {
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
  async load(request: FastifyRequest, reply: FastifyReply): Promise<LoadedSession> {
    const ids = readCookies(request, this.config.cookieName);
    if (ids.length === 0) {
      throw new SessionError('SESSION_MISSING', 'No session cookie was sent', {
        hint: 'Log in through GET /auth/login.',
      });
    }
    for (const id of ids.slice(0, MAX_SESSION_COOKIE_VALUES)) {
      const session = await this.sessions.load(id);
      if (session) {
        return session;
      }
    }
    // Clearing hits our own cookie, the likeliest real one: only once every value was tried.
    if (ids.length <= MAX_SESSION_COOKIE_VALUES) {
      clearCookie(reply, this.config.cookieName, this.config.sameSite);
    }
    throw new SessionError(
      'SESSION_EXPIRED',
      'The session has ended (logout, timeout, or Keycloak ended it)',
      { hint: 'Log in again (GET /auth/login).' },
    );
  }

  /** Load, check CSRF, refresh when due, mark as used; the result is what the guard puts on the request. */
  async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<SessionAuthentication> {
    this.checkCsrf(request);
    const loaded = await this.load(request, reply);
    let session: LoadedSession;
    try {
      session = await this.refresher.fresh(loaded);
    } catch (err: unknown) {
      if (err instanceof SessionError && err.code === 'SESSION_EXPIRED') {
        clearCookie(reply, this.config.cookieName, this.config.sameSite);
      }
      throw err;
    }
    await this.sessions.touch(session);
    return { session, user: sessionCallerOf(session.record) };
  }
}

import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import {
  type AccessTokenClaims,
  type AuthenticatedUser,
  introspectedCallerOf,
} from '../auth/authenticated-user';
import { IntrospectedTokens } from '../keycloak/introspected-tokens';
import { SessionAuthenticator } from './session-authenticator';
import { sessionCallerOf } from './session-claims';
import type { CookieCarrier } from './session-cookies';

/** The passport name the app lists among the global guard's credential sources. */
export const SESSION_COOKIE_STRATEGY = 'session-cookie';

/**
 * The session cookie as a credential source of the global guard (see AuthenticationGuard). The
 * app lists it after the bearer token, so it is asked only when no bearer token came.
 *
 * Without the cookie (or with the session mode off) it is not this source's request: it fails
 * and the guard answers with the bearer source's TOKEN_MISSING. With the cookie, its verdict is
 * final: the caller of the session, or the refusal (CSRF_HEADER_MISSING, SESSION_EXPIRED…).
 */
@Injectable()
export class SessionCookieStrategy extends PassportStrategy(
  passport.Strategy,
  SESSION_COOKIE_STRATEGY,
) {
  constructor(
    private readonly cookie: SessionAuthenticator,
    private readonly introspected: IntrospectedTokens,
  ) {
    super();
  }

  /**
   * passport's entry point: `validate`'s answer as success, fail (no cookie) or error. (passport
   * types the request as Express's; under Nest's Fastify adapter it is Fastify's.)
   */
  override authenticate(request: object): void {
    this.validate(request as CookieCarrier).then(
      (caller) => (caller ? this.success(caller) : this.fail(401)),
      (err: unknown) => this.error(err),
    );
  }

  /** The steps of this source, in order; null when the request has no session cookie. */
  async validate(request: CookieCarrier): Promise<AuthenticatedUser | null> {
    if (!this.cookie.hasCookie(request)) {
      return null;
    }
    // 1. CSRF: before anything is read, a state-changing request must carry the header.
    this.cookie.checkCsrf(request);
    // 2. The live session the cookie names (SESSION_EXPIRED, cookie cleared, if none).
    const loaded = await this.cookie.load(request);
    // 3. Refreshed when due, marked as used.
    const session = await this.cookie.resume(loaded);
    // 4. The caller: from the stored access token, or, for a lightweight one, from its
    //    introspection (cached since it was stored), exactly as the bearer source would.
    const { accessToken } = session.record;
    if (!this.introspected.wants(accessToken)) {
      return sessionCallerOf(session.record);
    }
    const claims = await this.introspected.claimsOf(accessToken);
    return {
      ...introspectedCallerOf(claims as AccessTokenClaims, accessToken),
      viaSession: true,
    };
  }
}

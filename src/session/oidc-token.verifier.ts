import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { decode, type JwtPayload } from 'jsonwebtoken';
import type { AccessTokenClaims } from '../auth/authenticated-user';
import { ProblemError } from '../common/errors/problem.error';
import { authConfig } from '../config/auth.config';
import { keycloakConfig } from '../config/keycloak.config';
import { IntrospectedTokens } from '../keycloak/introspected-tokens';
import { RealmTokenVerifier } from '../keycloak/realm-token.verifier';
import { SessionError } from './session.errors';
import { SessionRepository } from './session.repository';

/** OpenID Connect Back-Channel Logout 1.0 §2.4: the event a logout token must carry. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Back-Channel Logout §2.4: the explicit type of a logout token (Keycloak sets it since 25). */
const LOGOUT_TOKEN_TYPE = 'logout+jwt';

/**
 * How old a logout token may be. Keycloak sends it the moment the session ends; the limit
 * bounds how long a captured token could be replayed, and how long its jti must be remembered.
 */
export const LOGOUT_TOKEN_MAX_AGE_S = 300;

export interface IdTokenClaims extends JwtPayload {
  sub: string;
  sid?: string;
  nonce?: string;
}

export interface LogoutTokenClaims {
  sid?: string;
  sub?: string;
}

/**
 * Verifies the JWTs the session mode receives with the bearer guard's verifier
 * (RealmTokenVerifier: signature, pinned asymmetric algorithms, issuer, audience and expiry;
 * access tokens the bearer guard would introspect, through the same IntrospectedTokens),
 * then what each token type adds (OIDC Core §3.1.3.7 for ID tokens, Back-Channel Logout §2.6
 * for logout tokens).
 */
@Injectable()
export class OidcTokenVerifier {
  constructor(
    private readonly tokens: RealmTokenVerifier,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    private readonly sessions: SessionRepository,
    private readonly introspected: IntrospectedTokens,
  ) {}

  /**
   * The access token the token endpoint gave us: verified once, before it is stored. A refusal
   * is 502 ACCESS_TOKEN_INVALID, not a 401 bearer challenge: the browser sent no token, Keycloak
   * or this BFF's configuration produced one that fails the bearer checks. Keycloak or JWKS
   * being unreachable stays what it is (503/504).
   */
  async accessToken(token: string): Promise<AccessTokenClaims> {
    try {
      // A lightweight access token (AUTH_INTROSPECTION): its claims are introspection's answer,
      // cached for the requests that follow, as for a bearer token.
      const claims = this.introspected.wants(token)
        ? await this.introspected.claimsOf(token)
        : await this.tokens.verify(token, 'access');
      return claims as AccessTokenClaims;
    } catch (err: unknown) {
      if (!(err instanceof ProblemError) || err.status >= 500) {
        throw err;
      }
      throw new SessionError(
        'ACCESS_TOKEN_INVALID',
        `Keycloak issued an access token this BFF refuses (${err.code}): ${err.detail}`,
        {
          hint:
            err.hint ??
            `Check that the client '${this.keycloak.clientId}' issues tokens with aud '${this.auth.audience}' (AUTH_AUDIENCE) and iss '${this.keycloak.expectedIssuer}'.`,
          cause: err,
        },
      );
    }
  }

  async idToken(token: string, expectedNonce: string): Promise<IdTokenClaims> {
    let claims: JwtPayload;
    try {
      claims = await this.tokens.verify(token, 'id');
    } catch (err: unknown) {
      throw new SessionError('ID_TOKEN_INVALID', `The ID token was refused: ${reason(err)}`, {
        cause: err,
      });
    }
    if (typeof claims.sub !== 'string') {
      throw new SessionError('ID_TOKEN_INVALID', 'The ID token has no sub');
    }
    // OIDC Core §3.1.3.7 (4, 5): with several audiences, azp must name us; if present, always.
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (
      (audiences.length > 1 || claims.azp !== undefined) &&
      claims.azp !== this.keycloak.clientId
    ) {
      throw new SessionError(
        'ID_TOKEN_INVALID',
        `The ID token's azp is '${String(claims.azp)}', not '${this.keycloak.clientId}'`,
      );
    }
    if (claims.nonce !== expectedNonce) {
      throw new SessionError(
        'NONCE_MISMATCH',
        "The ID token's nonce is not the one this login sent: the authorization response belongs to another login",
        { hint: 'Start the login again from /auth/login.' },
      );
    }
    return claims as IdTokenClaims;
  }

  async logoutToken(token: string): Promise<LogoutTokenClaims> {
    let claims: JwtPayload;
    try {
      claims = await this.tokens.verify(token, 'logout');
    } catch (err: unknown) {
      throw invalidLogoutToken(reason(err), err);
    }
    const events = claims.events as Record<string, unknown> | undefined;
    if (typeof events !== 'object' || events === null || !(BACKCHANNEL_LOGOUT_EVENT in events)) {
      throw invalidLogoutToken(`events lacks ${BACKCHANNEL_LOGOUT_EVENT}`);
    }
    if ('nonce' in claims) {
      throw invalidLogoutToken('a logout token must not contain a nonce');
    }
    const typ = decode(token, { complete: true })?.header.typ;
    // Cross-JWT confusion (§4.1): an ID or access token (typ JWT) is no logout token.
    if (typ !== undefined && typ.toLowerCase() !== LOGOUT_TOKEN_TYPE) {
      throw invalidLogoutToken(`its typ header is '${typ}', not '${LOGOUT_TOKEN_TYPE}'`);
    }
    const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
    const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
    if (!sid && !sub) {
      throw invalidLogoutToken('it names neither sid nor sub');
    }
    // jsonwebtoken checks exp only when present: freshness rests on iat, replay on jti.
    const nowS = Date.now() / 1000;
    const toleranceS = this.auth.clockToleranceSec;
    if (typeof claims.iat !== 'number') {
      throw invalidLogoutToken('iat is missing');
    }
    if (claims.iat < nowS - LOGOUT_TOKEN_MAX_AGE_S - toleranceS || claims.iat > nowS + toleranceS) {
      throw invalidLogoutToken(
        `iat is more than ${LOGOUT_TOKEN_MAX_AGE_S} s old or in the future (check the clocks)`,
      );
    }
    if (typeof claims.jti !== 'string' || claims.jti === '') {
      throw invalidLogoutToken('jti is missing');
    }
    // Remembered as long as the iat check would still accept the token, across instances.
    const rememberMs = Math.ceil((claims.iat + LOGOUT_TOKEN_MAX_AGE_S + toleranceS - nowS) * 1000);
    if (!(await this.sessions.rememberOnce(claims.jti, Math.max(1_000, rememberMs)))) {
      throw invalidLogoutToken('its jti was already used (a replayed logout token)');
    }
    return { sid, sub };
  }
}

function reason(err: unknown): string {
  if (err instanceof ProblemError) {
    return err.detail;
  }
  return err instanceof Error ? err.message : String(err);
}

function invalidLogoutToken(why: string, cause?: unknown): SessionError {
  return new SessionError('LOGOUT_TOKEN_INVALID', `The logout token was refused: ${why}`, {
    cause,
  });
}

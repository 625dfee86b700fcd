import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  type Algorithm,
  decode,
  JsonWebTokenError,
  type Jwt,
  type JwtPayload,
  NotBeforeError,
  TokenExpiredError,
  verify,
} from 'jsonwebtoken';
import { seeDoctor } from '../common/doctor-check-names';
import { ProblemError } from '../common/errors/problem.error';
import { authConfig } from '../config/auth.config';
import { keycloakConfig } from '../config/keycloak.config';
import { ASYMMETRIC_ALGORITHMS, isAsymmetricAlgorithm, JwksService } from './jwks.service';
import { TokenRejectedError } from './token.errors';

/** The JWTs the realm signs for the BFF. They differ in their audience, and in their name. */
export type RealmTokenKind = 'access' | 'id' | 'logout';

const NAMES: Record<RealmTokenKind, string> = {
  access: 'access token',
  id: 'ID token',
  logout: 'logout token',
};

/** What every realm token is checked against, in jsonwebtoken's spelling. */
export interface PinnedOptions {
  algorithms: Algorithm[];
  issuer: string;
  audience: string;
  clockTolerance: number;
}

/** A JWT whose header and payload parse: all a refusal can be explained from. */
type DecodedJwt = Jwt & { payload: JwtPayload };

/**
 * The one verifier of the JWTs the realm signs: bearer and session access tokens, ID tokens and
 * logout tokens. The options are pinned here once (asymmetric algorithms only, the realm's
 * issuer, each kind's audience, the clock tolerance); the bearer strategy hands the same options
 * to passport-jwt. A refusal names the check that failed, from jsonwebtoken's error class and
 * our own re-check of the token, never from the library's message text.
 */
@Injectable()
export class RealmTokenVerifier {
  constructor(
    private readonly jwks: JwksService,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

  options(kind: RealmTokenKind): PinnedOptions {
    return {
      // Never `none`, never HMAC: a public key is not a shared secret.
      algorithms: [...ASYMMETRIC_ALGORITHMS],
      issuer: this.keycloak.expectedIssuer,
      // RFC 7519 §4.1.3: an access token must name AUTH_AUDIENCE; ID and logout tokens are
      // issued to the BFF's client (OIDC Core §2, Back-Channel Logout §2.4).
      audience: kind === 'access' ? this.auth.audience : this.keycloak.clientId,
      clockTolerance: this.auth.clockToleranceSec,
    };
  }

  /**
   * The token's claims once every check passed; otherwise the refusal that names the check.
   * `audience: false` leaves out the audience check, for a token whose audience introspection
   * is to tell (a lightweight access token carries none).
   */
  async verify(
    token: string,
    kind: RealmTokenKind,
    checks: { audience: boolean } = { audience: true },
  ): Promise<JwtPayload> {
    const key = await this.keyFor(token, kind);
    const options = this.options(kind);
    try {
      // keyFor refused anything but a JSON payload, so the payload is never a string here.
      return verify(token, key, {
        ...options,
        audience: checks.audience ? options.audience : undefined,
      }) as JwtPayload;
    } catch (err: unknown) {
      throw this.rejection(err, token, kind);
    }
  }

  /**
   * The realm key the token must verify against. Before any key is looked up, the unverified
   * header and issuer are checked: that names the two commonest mistakes (a token of another
   * realm or URL, a forged `alg`) and keeps foreign tokens from triggering JWKS fetches.
   */
  async keyFor(token: string, kind: RealmTokenKind): Promise<KeyObject> {
    const what = NAMES[kind];
    const decoded = decodeJwt(token);
    if (!decoded) {
      throw new TokenRejectedError(
        'TOKEN_MALFORMED',
        `The ${what} is not a JWT with a JSON payload`,
      );
    }
    const { alg, kid } = decoded.header;
    if (!isAsymmetricAlgorithm(alg)) {
      throw new TokenRejectedError(
        'TOKEN_ALGORITHM_NOT_ALLOWED',
        `The ${what} is signed with '${String(alg)}'; only the realm's asymmetric algorithms (${this.jwks.algorithms.join(', ') || 'RS256'}) are accepted`,
      );
    }
    const foreign = this.issuerRefusal(decoded.payload);
    if (foreign) {
      throw foreign;
    }
    if (!kid) {
      throw new TokenRejectedError('TOKEN_UNKNOWN_KEY', 'The token header names no key (kid)');
    }
    const key = await this.jwks.getKey(kid);
    if (key.alg !== alg) {
      throw new TokenRejectedError(
        'TOKEN_ALGORITHM_NOT_ALLOWED',
        `The token says '${alg}' but key '${kid}' is a ${key.alg} key`,
      );
    }
    return key.key;
  }

  /**
   * Why a token was refused. Our own refusals pass through; jsonwebtoken's are told apart by
   * class (expired, not yet valid) and, for its catch-all JsonWebTokenError, by repeating its
   * checks in its order (structure, signature, `nbf`/`exp` types, `aud`, `iss`) to find the
   * first that fails. `token` is absent when the request carried none.
   */
  rejection(err: unknown, token: string | null | undefined, kind: RealmTokenKind): ProblemError {
    const what = NAMES[kind];
    if (err instanceof ProblemError) {
      return err;
    }
    if (!token) {
      return new TokenRejectedError(
        'TOKEN_MISSING',
        'No bearer token in the Authorization header',
        {
          hint: 'Send Authorization: Bearer <access token>.',
        },
      );
    }
    if (err instanceof TokenExpiredError) {
      return new TokenRejectedError(
        'TOKEN_EXPIRED',
        `The ${what} expired at ${err.expiredAt.toISOString()}`,
        { hint: 'Refresh it (POST /auth/refresh) or log in again.', cause: err },
      );
    }
    if (err instanceof NotBeforeError) {
      return new TokenRejectedError(
        'TOKEN_NOT_YET_VALID',
        `The ${what} is not valid before ${err.date.toISOString()}`,
        {
          hint: "Check the clocks of this host and Keycloak's; AUTH_CLOCK_TOLERANCE_S allows small skew.",
          cause: err,
        },
      );
    }
    if (err instanceof JsonWebTokenError) {
      return this.failedCheck(err, token, kind);
    }
    return new TokenRejectedError('TOKEN_MALFORMED', `The ${what} could not be verified`, {
      cause: err,
    });
  }

  private failedCheck(err: JsonWebTokenError, token: string, kind: RealmTokenKind): ProblemError {
    const what = NAMES[kind];
    const malformed = (): ProblemError =>
      new TokenRejectedError('TOKEN_MALFORMED', `The ${what} is malformed: ${err.message}`, {
        cause: err,
      });
    const decoded = decodeJwt(token);
    if (!decoded) {
      return malformed();
    }
    const { alg, kid } = decoded.header;
    // An unsigned token (RFC 7519 §6) is alg `none` whatever its header says.
    if (!token.split('.')[2]?.trim() || !isAsymmetricAlgorithm(alg)) {
      return new TokenRejectedError(
        'TOKEN_ALGORITHM_NOT_ALLOWED',
        `The token's algorithm is not allowed: ${err.message}`,
        { cause: err },
      );
    }
    // The key keyFor handed out; gone only if a JWKS refresh dropped it in between.
    const key = kid === undefined ? undefined : this.jwks.cached(kid);
    if (key && !signatureHolds(token, key.key, alg)) {
      return signatureInvalid(what, err);
    }
    // RFC 7519 §4.1.4, §4.1.5: exp and nbf are NumericDates; anything else is no valid JWT.
    const { nbf, exp } = decoded.payload;
    if (
      (nbf !== undefined && typeof nbf !== 'number') ||
      (exp !== undefined && typeof exp !== 'number')
    ) {
      return malformed();
    }
    const claim =
      this.audienceRefusal(decoded.payload, kind, err) ?? this.issuerRefusal(decoded.payload, err);
    if (claim) {
      return claim;
    }
    // Every check we can repeat passed: without the key, the signature is the one left.
    return key ? malformed() : signatureInvalid(what, err);
  }

  /** RFC 7519 §4.1.1: the realm's issuer, as tokens carry it (KEYCLOAK_PUBLIC_URL). */
  private issuerRefusal(payload: JwtPayload, cause?: unknown): TokenRejectedError | undefined {
    const expected = this.keycloak.expectedIssuer;
    if (payload.iss === expected) {
      return undefined;
    }
    return new TokenRejectedError(
      'TOKEN_ISSUER_MISMATCH',
      `Token issuer '${String(payload.iss)}' is not the expected '${expected}'`,
      {
        hint: `If Keycloak is reached on an internal URL but tokens carry the public one, set KEYCLOAK_PUBLIC_URL to the URL in the issuer; a realm's Frontend URL also changes it; otherwise the token comes from another realm or server. ${seeDoctor('issuer')}`,
        cause,
      },
    );
  }

  /** RFC 7519 §4.1.3: the token must name this kind's audience among its `aud`. */
  private audienceRefusal(
    payload: JwtPayload,
    kind: RealmTokenKind,
    cause: unknown,
  ): TokenRejectedError | undefined {
    const expected = this.options(kind).audience;
    const audiences = payload.aud === undefined ? [] : [payload.aud].flat();
    if (audiences.includes(expected)) {
      return undefined;
    }
    const actual = audiences.map((a) => `'${a}'`).join(', ') || 'empty';
    return new TokenRejectedError(
      'TOKEN_AUDIENCE_MISMATCH',
      `The ${NAMES[kind]} is not meant for this service: expected aud '${expected}', the token's audience is ${actual}`,
      {
        // Keycloak's lightweight access tokens carry no aud at all.
        hint:
          payload.aud === undefined
            ? `A token without aud is usually a lightweight access token ("Always use lightweight access token" on the client); otherwise add an audience mapper for '${expected}' to the client that requested it. ${seeDoctor('lightweightTokens')}`
            : `Add an audience mapper for '${expected}' to the client that requested the token.`,
        cause,
      },
    );
  }
}

function decodeJwt(token: string): DecodedJwt | undefined {
  const decoded = decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string' || token.split('.').length !== 3) {
    return undefined;
  }
  return decoded as DecodedJwt;
}

/** The signature alone, every claim check off: whether the key signed exactly these bytes. */
function signatureHolds(token: string, key: KeyObject, alg: Algorithm): boolean {
  try {
    verify(token, key, { algorithms: [alg], ignoreExpiration: true, ignoreNotBefore: true });
    return true;
  } catch {
    return false;
  }
}

function signatureInvalid(what: string, cause: unknown): TokenRejectedError {
  return new TokenRejectedError(
    'TOKEN_SIGNATURE_INVALID',
    `The ${what} signature does not match its content`,
    { cause },
  );
}

import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  decode,
  type JwtPayload,
  JsonWebTokenError,
  NotBeforeError,
  TokenExpiredError,
  verify,
} from 'jsonwebtoken';
import { JwksClient, JwksRateLimitError, type SigningKey, SigningKeyNotFoundError } from 'jwks-rsa';
import { ApiError, invalidToken } from './errors';

/** Keycloak's access-token claims that orders-api reads. */
export interface AccessClaims extends JwtPayload {
  typ?: string;
  azp?: string;
  scope?: string;
  preferred_username?: string;
  resource_access?: Record<string, { roles?: string[] }>;
}

/** Signature algorithms accepted: asymmetric only (never `none`, never HMAC with a public key). */
export const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
type Algorithm = (typeof ALGORITHMS)[number];

const isAlgorithm = (alg: unknown): alg is Algorithm =>
  typeof alg === 'string' && (ALGORITHMS as readonly string[]).includes(alg);

// Keycloak's and this host's clocks may differ a little.
const CLOCK_TOLERANCE_S = 5;

/** A kid the key set does not have: the token's fault (or a rotation we cannot see yet). */
export class UnknownKeyError extends Error {
  constructor(
    readonly kid: string,
    options?: { cause?: unknown },
  ) {
    super(`no signing key '${kid}' in the realm's JWKS`, options);
    this.name = UnknownKeyError.name;
  }
}

/** The JWKS could not be fetched: our problem, not the caller's. */
export class KeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = KeysUnavailableError.name;
  }
}

/** Where verification keys come from; tests hand in their own. */
export interface KeySource {
  /** The key for a kid; throws UnknownKeyError or KeysUnavailableError. */
  key(kid: string): Promise<KeyObject>;
}

/**
 * The realm's JWKS through jwks-rsa: keys cached for 10 minutes, an unknown kid refetches the set
 * at most 10 times a minute. Each key is parsed into a KeyObject once per cached key, not per
 * request.
 */
export class JwksKeySource implements KeySource {
  private readonly client: JwksClient;
  private readonly parsed = new WeakMap<SigningKey, KeyObject>();

  constructor(
    readonly jwksUri: string,
    timeoutMs = 5000,
  ) {
    this.client = new JwksClient({
      jwksUri,
      cache: true,
      cacheMaxAge: 10 * 60_000,
      rateLimit: true,
      jwksRequestsPerMinute: 10,
      timeout: timeoutMs,
    });
  }

  async key(kid: string): Promise<KeyObject> {
    let signingKey: SigningKey;
    try {
      signingKey = await this.client.getSigningKey(kid);
    } catch (err: unknown) {
      if (err instanceof SigningKeyNotFoundError || err instanceof JwksRateLimitError) {
        throw new UnknownKeyError(kid, { cause: err });
      }
      throw new KeysUnavailableError(`the JWKS at ${this.jwksUri} could not be loaded`, {
        cause: err,
      });
    }
    let key = this.parsed.get(signingKey);
    if (key === undefined) {
      key = createPublicKey(signingKey.getPublicKey());
      this.parsed.set(signingKey, key);
    }
    return key;
  }
}

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** Refuse a token whose `aud` also names other services. */
  soleAudience: boolean;
}

export const audiencesOf = (claims: JwtPayload): string[] =>
  claims.aud === undefined ? [] : ([] as string[]).concat(claims.aud);

/**
 * Verifies a bearer token locally: signature against the realm's keys, `exp`/`nbf`, `iss`,
 * `aud`, and that it is an access token. Every refusal is a 401 invalid_token that names the
 * failing check (RFC 6750 §3.1); a JWKS outage is a 503.
 */
export class TokenVerifier {
  constructor(
    private readonly keys: KeySource,
    private readonly options: VerifierOptions,
  ) {}

  async verify(token: string): Promise<AccessClaims> {
    const refuse = (description: string, cause?: unknown): ApiError =>
      invalidToken(this.options.audience, description, { cause });
    const decoded = decode(token, { complete: true });
    if (decoded === null || typeof decoded.payload === 'string') {
      throw refuse('The token is not a JWT');
    }
    const { alg, kid } = decoded.header;
    if (!isAlgorithm(alg)) {
      throw refuse(`The token's algorithm '${String(alg)}' is not accepted`);
    }
    if (typeof kid !== 'string') {
      throw refuse('The token names no signing key (kid)');
    }
    const key = await this.keyFor(kid, refuse);

    let claims: AccessClaims;
    try {
      // Only the algorithm of the header we checked: the key type must fit it, or verify refuses.
      claims = verify(token, key, {
        algorithms: [alg],
        clockTolerance: CLOCK_TOLERANCE_S,
      }) as AccessClaims;
    } catch (err: unknown) {
      if (err instanceof TokenExpiredError) {
        throw refuse(`The token expired at ${err.expiredAt.toISOString()}`, err);
      }
      if (err instanceof NotBeforeError) {
        throw refuse(`The token is not valid before ${err.date.toISOString()}`, err);
      }
      if (err instanceof JsonWebTokenError) {
        throw refuse(`The token is not valid: ${err.message}`, err);
      }
      throw err;
    }
    this.checkClaims(claims, refuse);
    return claims;
  }

  private async keyFor(
    kid: string,
    refuse: (d: string, cause?: unknown) => ApiError,
  ): Promise<KeyObject> {
    try {
      return await this.keys.key(kid);
    } catch (err: unknown) {
      if (err instanceof UnknownKeyError) {
        throw refuse(`The token's signing key '${kid}' is not one of the realm's`, err);
      }
      if (err instanceof KeysUnavailableError) {
        throw new ApiError(
          503,
          'temporarily_unavailable',
          'The signing keys cannot be loaded; try again later',
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  private checkClaims(claims: AccessClaims, refuse: (d: string) => ApiError): void {
    const { issuer, audience, soleAudience } = this.options;
    if (claims.iss !== issuer) {
      throw refuse(`The token's issuer '${String(claims.iss)}' is not '${issuer}'`);
    }
    const audiences = audiencesOf(claims);
    if (!audiences.includes(audience)) {
      throw refuse(`The token is not meant for ${audience}: its aud is [${audiences.join(', ')}]`);
    }
    const others = audiences.filter((a) => a !== audience);
    if (soleAudience && others.length > 0) {
      throw refuse(
        `The token is also meant for ${others.join(', ')}; only tokens for ${audience} alone are accepted (exchange it for audience ${audience})`,
      );
    }
    // Keycloak marks its tokens: an ID or refresh token is not an access token.
    if (claims.typ !== undefined && claims.typ !== 'Bearer') {
      throw refuse(`The token is a Keycloak '${claims.typ}' token, not an access token`);
    }
  }
}

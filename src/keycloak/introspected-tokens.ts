import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { decode, type JwtPayload } from 'jsonwebtoken';
import { Clock } from '../common/clock/clock';
import { authConfig, type IntrospectionMode } from '../config/auth.config';
import { keycloakConfig } from '../config/keycloak.config';
import { RealmTokenVerifier } from './realm-token.verifier';
import { TokenIntrospector } from './token-introspector';
import { TokenRejectedError } from './token.errors';

/** What introspection concluded about one token: its claims, or the refusal to repeat. */
type Verdict = { claims: JwtPayload } | { refusal: TokenRejectedError };

interface Entry {
  verdict: Verdict;
  expiresAt: number;
}

/** The token's key in the cache: its SHA-256, so the cache's keys are no bearer credentials. */
function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The unverified payload of a compact JWS, or undefined when the token is no JWT (opaque). */
function payloadOf(token: string): JwtPayload | undefined {
  if (token.split('.').length !== 3) {
    return undefined;
  }
  const payload = decode(token, { json: true });
  return payload ?? undefined;
}

/**
 * A lightweight access token (Keycloak: "Always use lightweight access token") keeps `exp`,
 * `iss`, `azp`, `scope` and `sid`, and drops `aud`, `sub` and the roles: the guards need all three.
 */
function lacksGuardClaims(payload: JwtPayload): boolean {
  return (
    payload.aud === undefined ||
    typeof payload.sub !== 'string' ||
    (payload.realm_access === undefined && payload.resource_access === undefined)
  );
}

/**
 * Bearer tokens the guard learns about by introspection (RFC 7662) rather than from their own
 * claims: opaque tokens and lightweight access tokens (AUTH_INTROSPECTION=fallback), or every
 * token (AUTH_INTROSPECTION=always). Shared by the bearer source and the session mode.
 *
 * Each token is introspected once: the verdict is cached under the token's hash until the
 * token's `exp`, and at most AUTH_INTROSPECTION_CACHE_TTL_S (so `always` sees a revocation at
 * most that late); the cache is bounded, oldest entry first out; concurrent first requests with
 * one token share one introspection. A refusal (`active: false`) is cached too: a token does not
 * come back to life. A failure to reach Keycloak is not: the next request asks again, and tokens
 * already cached keep working while Keycloak is away.
 */
@Injectable()
export class IntrospectedTokens {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Verdict>>();
  private readonly mode: IntrospectionMode;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly introspector: TokenIntrospector,
    private readonly verifier: RealmTokenVerifier,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    private readonly clock: Clock,
  ) {
    ({ mode: this.mode, cacheTtlMs: this.ttlMs, cacheSize: this.maxEntries } = auth.introspection);
  }

  get enabled(): boolean {
    return this.mode !== 'off';
  }

  /**
   * Whether this token is introspected rather than verified from its own claims: in `always`
   * every token; in `fallback` one that is no JWT, or a JWT without the claims the guards need.
   */
  wants(token: string): boolean {
    switch (this.mode) {
      case 'off':
        return false;
      case 'always':
        return true;
      case 'fallback': {
        const payload = payloadOf(token);
        return payload === undefined || lacksGuardClaims(payload);
      }
    }
  }

  /** The claims of a token introspected recently; undefined when it must be (re)introspected. */
  remembered(token: string): JwtPayload | undefined {
    if (this.entries.size === 0) {
      return undefined;
    }
    const verdict = this.cached(hashOf(token));
    return verdict && 'claims' in verdict ? verdict.claims : undefined;
  }

  /**
   * The token's claims as Keycloak describes them, or the refusal: TOKEN_INACTIVE, the local
   * check a JWT failed, TOKEN_AUDIENCE_MISMATCH; IDP_UNAVAILABLE (503) when Keycloak cannot be
   * asked about a token not cached.
   */
  async claimsOf(token: string): Promise<JwtPayload> {
    const key = hashOf(token);
    const verdict = this.cached(key) ?? (await this.singleFlight(key, token));
    if ('refusal' in verdict) {
      throw verdict.refusal;
    }
    return verdict.claims;
  }

  private cached(key: string): Verdict | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      return undefined;
    }
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.verdict;
  }

  private singleFlight(key: string, token: string): Promise<Verdict> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.judge(token)
        .then((verdict) => {
          this.remember(key, verdict);
          return verdict;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async judge(token: string): Promise<Verdict> {
    // A JWT is held to what it can prove alone (signature, issuer, expiry) before Keycloak is
    // asked: a forged or foreign JWT costs no call. Its audience is introspection's to tell.
    if (payloadOf(token) !== undefined) {
      try {
        await this.verifier.verify(token, 'access', { audience: false });
      } catch (err: unknown) {
        const refusal = this.verifier.rejection(err, token, 'access');
        if (refusal instanceof TokenRejectedError) {
          return { refusal };
        }
        throw refusal;
      }
    }
    const answer = await this.introspector.introspect(token);
    if (!answer.active) {
      return {
        refusal: new TokenRejectedError(
          'TOKEN_INACTIVE',
          `Keycloak's introspection says the token is not active${answer.reason ? `: ${answer.reason}` : ''}`,
          {
            hint: 'The token is unknown to the realm, expired, revoked (logout), or not issued for this service; log in again.',
          },
        ),
      };
    }
    const refusal = this.claimsRefusal(answer.claims);
    return refusal ? { refusal } : { claims: answer.claims };
  }

  /** RFC 7662 §4: the resource server still checks that the token is meant for it. */
  private claimsRefusal(claims: JwtPayload): TokenRejectedError | undefined {
    const audiences = claims.aud === undefined ? [] : [claims.aud].flat();
    if (!audiences.includes(this.auth.audience)) {
      return new TokenRejectedError(
        'TOKEN_AUDIENCE_MISMATCH',
        `The introspected access token is not meant for this service: expected aud '${this.auth.audience}', its audience is ${audiences.map((a) => `'${a}'`).join(', ') || 'empty'}`,
        {
          hint: `Add an audience mapper for '${this.auth.audience}' (with "Add to token introspection" on) to the client that requested the token.`,
        },
      );
    }
    if (claims.iss !== this.keycloak.expectedIssuer || typeof claims.sub !== 'string') {
      return new TokenRejectedError(
        'TOKEN_MALFORMED',
        "The introspection answer lacks the token's issuer or subject",
      );
    }
    return undefined;
  }

  private remember(key: string, verdict: Verdict): void {
    const now = this.clock.now();
    const exp = 'claims' in verdict ? verdict.claims.exp : undefined;
    const expiresAt = Math.min(
      now + this.ttlMs,
      typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY,
    );
    if (expiresAt <= now) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(key, { verdict, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}

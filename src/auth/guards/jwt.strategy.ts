import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Clock } from '../../common/clock/clock';
import { authConfig } from '../../config/auth.config';
import { IntrospectedTokens } from '../../keycloak/introspected-tokens';
import { JwksService } from '../../keycloak/jwks.service';
import { RealmTokenVerifier } from '../../keycloak/realm-token.verifier';
import { MetricsService } from '../../common/metrics/metrics.service';
import {
  type AccessTokenClaims,
  type AuthenticatedUser,
  introspectedCallerOf,
  rolesOf,
} from '../authenticated-user';
import { kidOf, VerifiedTokenCache } from './verified-token.cache';

export const JWT_STRATEGY = 'keycloak-jwt';

export const extractBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * The bearer token as a credential source of the global guard (see AuthenticationGuard), first
 * in the app's list: passport-jwt with the realm's access-token checks (the key and the options
 * both come from RealmTokenVerifier, so a bearer token is held to exactly what a session's
 * access token is). Tokens it verified are remembered (VerifiedTokenCache) until their `exp` or
 * until their key leaves the realm's JWKS. With AUTH_INTROSPECTION on, the tokens it names
 * (opaque, lightweight, or all) are described by Keycloak's introspection instead (see
 * IntrospectedTokens, which remembers them).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  private readonly verified: VerifiedTokenCache;

  /** The caller built once per introspection answer, so a cache hit builds nothing. */
  private readonly callers = new WeakMap<object, AuthenticatedUser>();

  constructor(
    private readonly verifier: RealmTokenVerifier,
    private readonly introspected: IntrospectedTokens,
    jwks: JwksService,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const { algorithms, issuer, audience, clockTolerance } = verifier.options('access');
    super({
      jwtFromRequest: extractBearer,
      secretOrKeyProvider: (
        _req: unknown,
        rawJwt: string,
        done: (err: unknown, key?: Buffer) => void,
      ) => {
        verifier.keyFor(rawJwt, 'access').then(
          // jsonwebtoken 9 verifies with a KeyObject; passport-jwt's types predate that.
          (key) => done(null, key as unknown as Buffer),
          (err: unknown) => done(err),
        );
      },
      algorithms,
      issuer,
      audience,
      jsonWebTokenOptions: { clockTolerance },
      ignoreExpiration: false,
      passReqToCallback: false,
    });
    this.verified = new VerifiedTokenCache(auth.tokenCacheSize, (kid) => jwks.has(kid), clock);
    // A key the realm dropped takes the tokens it signed out of the cache at once.
    jwks.onKeysRemoved((kids) => this.verified.dropKeys(kids));
    metrics?.sampleAtScrape(() => metrics.tokenCacheSize(this.verified.size));
  }

  /** The caller for a token this source verified recently; nothing is verified here. */
  remembered(token: string): AuthenticatedUser | undefined {
    const verified = this.verified.get(token);
    this.metrics?.tokenCacheLookup(verified !== undefined);
    if (verified || !this.introspected.enabled) {
      return verified;
    }
    const claims = this.introspected.remembered(token);
    return claims && this.callerOf(claims, token);
  }

  private callerOf(claims: object, token: string): AuthenticatedUser {
    let caller = this.callers.get(claims);
    if (!caller) {
      caller = introspectedCallerOf(claims as AccessTokenClaims, token);
      this.callers.set(claims, caller);
    }
    return caller;
  }

  /**
   * This source's step of the pipeline, around passport-jwt's. Without a bearer token it fails,
   * so the next source is tried. With one, its verdict is final: a refusal becomes the
   * pipeline's error (passport `error`), named by the verifier; an accepted token is remembered.
   */
  override authenticate(request: Parameters<Strategy['authenticate']>[0], options?: object): void {
    const token = extractBearer(request);
    // passport's callbacks for this attempt (set on a per-attempt object, so replacing is safe).
    const { success, fail, error } = this;
    if (!token) {
      this.fail = (info: unknown) => fail(this.verifier.rejection(info, token, 'access'), 401);
    } else if (this.introspected.wants(token)) {
      // Keycloak's description of the token, not the token's own: passport-jwt is not asked.
      this.introspected.claimsOf(token).then(
        (claims) => success(this.callerOf(claims, token)),
        (err: unknown) => error(this.verifier.rejection(err, token, 'access')),
      );
      return;
    } else {
      this.fail = (info: unknown) => {
        const rejection = this.verifier.rejection(info, token, 'access');
        this.metrics?.tokenCheck(rejection.code);
        error(rejection);
      };
      this.success = (user: Omit<AuthenticatedUser, 'accessToken'>) => {
        this.metrics?.tokenCheck('ok');
        // The strategy returns claims and roles; the raw token is added once verified.
        const caller = { ...user, accessToken: token };
        // kidOf parses the header: only worth it when the cache keeps anything.
        if (this.verified.enabled) {
          this.verified.set(token, caller, kidOf(token));
        }
        success(caller);
      };
    }
    super.authenticate(request, options);
  }

  /** This source's failure when no bearer token came: 401 TOKEN_MISSING with the challenge. */
  missing(): Error {
    return this.verifier.rejection(undefined, undefined, 'access');
  }

  validate(claims: AccessTokenClaims): Omit<AuthenticatedUser, 'accessToken'> {
    return { claims, roles: rolesOf(claims) };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Clock } from '../../common/clock/clock';
import { authConfig } from '../../config/auth.config';
import { keycloakConfig } from '../../config/keycloak.config';
import { ASYMMETRIC_ALGORITHMS, JwksService } from '../../keycloak/jwks.service';
import { realmKeyFor } from '../../keycloak/jwt-key';
import { type AccessTokenClaims, type AuthenticatedUser, rolesOf } from '../authenticated-user';
import { toTokenError } from '../token-errors';
import { kidOf, VerifiedTokenCache } from './verified-token.cache';

export const JWT_STRATEGY = 'keycloak-jwt';

export const extractBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * The bearer token as a credential source of the global guard (see AuthenticationGuard), first
 * in the app's list: passport-jwt with keys from the realm's JWKS (see realmKeyFor for the
 * checks before the lookup). Tokens it verified are remembered (VerifiedTokenCache) until their
 * `exp` or until their key leaves the realm's JWKS.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  private readonly verified: VerifiedTokenCache;
  private readonly expected: { issuer: string; audience: string };

  constructor(
    private readonly jwks: JwksService,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    clock: Clock,
  ) {
    super({
      jwtFromRequest: extractBearer,
      secretOrKeyProvider: (
        _req: unknown,
        rawJwt: string,
        done: (err: unknown, key?: Buffer) => void,
      ) => {
        this.keyFor(rawJwt).then(
          // jsonwebtoken 9 verifies with a KeyObject; passport-jwt's types predate that.
          (key) => done(null, key as unknown as Buffer),
          (err: unknown) => done(err),
        );
      },
      algorithms: [...ASYMMETRIC_ALGORITHMS],
      issuer: keycloak.expectedIssuer,
      audience: auth.audience,
      jsonWebTokenOptions: { clockTolerance: auth.clockToleranceSec },
      ignoreExpiration: false,
      passReqToCallback: false,
    });
    this.verified = new VerifiedTokenCache(auth.tokenCacheSize, (kid) => jwks.has(kid), clock);
    // A key the realm dropped takes the tokens it signed out of the cache at once.
    jwks.onKeysRemoved((kids) => this.verified.dropKeys(kids));
    this.expected = { issuer: keycloak.expectedIssuer, audience: auth.audience };
  }

  /** The caller for a token this source verified recently; nothing is verified here. */
  remembered(token: string): AuthenticatedUser | undefined {
    return this.verified.get(token);
  }

  /**
   * This source's step of the pipeline, around passport-jwt's. Without a bearer token it fails,
   * so the next source is tried. With one, its verdict is final: a refusal becomes the
   * pipeline's error (passport `error`), with its TOKEN_* code; an accepted token is remembered.
   */
  override authenticate(request: Parameters<Strategy['authenticate']>[0], options?: object): void {
    const token = extractBearer(request);
    // passport's callbacks for this attempt (set on a per-attempt object, so replacing is safe).
    const { success, fail, error } = this;
    if (!token) {
      this.fail = (info: unknown) => fail(toTokenError(info, this.expected), 401);
    } else {
      this.fail = (info: unknown) => error(toTokenError(info, this.expected));
      this.success = (user: Omit<AuthenticatedUser, 'accessToken'>) => {
        // The strategy returns claims and roles; the raw token is added once verified.
        const caller = { ...user, accessToken: token };
        this.verified.set(token, caller, kidOf(token));
        success(caller);
      };
    }
    super.authenticate(request, options);
  }

  validate(claims: AccessTokenClaims): Omit<AuthenticatedUser, 'accessToken'> {
    return { claims, roles: rolesOf(claims) };
  }

  keyFor(rawJwt: string): Promise<KeyObject> {
    return realmKeyFor(this.jwks, this.keycloak.expectedIssuer, rawJwt);
  }
}

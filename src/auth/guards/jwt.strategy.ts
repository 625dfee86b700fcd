import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../../config/auth.config';
import { keycloakConfig } from '../../config/keycloak.config';
import { ASYMMETRIC_ALGORITHMS, JwksService } from '../../keycloak/jwks.service';
import { realmKeyFor } from '../../keycloak/jwt-key';
import { type AccessTokenClaims, type AuthenticatedUser, rolesOf } from '../authenticated-user';

export const JWT_STRATEGY = 'keycloak-jwt';

export const extractBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/** passport-jwt with keys from the realm's JWKS (see realmKeyFor for the checks before the lookup). */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    private readonly jwks: JwksService,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
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
  }

  validate(claims: AccessTokenClaims): Omit<AuthenticatedUser, 'accessToken'> {
    return { claims, roles: rolesOf(claims) };
  }

  keyFor(rawJwt: string): Promise<KeyObject> {
    return realmKeyFor(this.jwks, this.keycloak.expectedIssuer, rawJwt);
  }
}

import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { RealmTokenVerifier } from '../../keycloak/realm-token.verifier';
import { type AccessTokenClaims, type AuthenticatedUser, rolesOf } from '../authenticated-user';

export const JWT_STRATEGY = 'keycloak-jwt';

export const extractBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * passport-jwt with the realm's access-token checks: the key and the options both come from
 * RealmTokenVerifier, so a bearer token is held to exactly what a session's access token is.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(verifier: RealmTokenVerifier) {
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
  }

  validate(claims: AccessTokenClaims): Omit<AuthenticatedUser, 'accessToken'> {
    return { claims, roles: rolesOf(claims) };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { decode } from 'jsonwebtoken';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../../config/auth.config';
import { keycloakConfig } from '../../config/keycloak.config';
import {
  ASYMMETRIC_ALGORITHMS,
  isAsymmetricAlgorithm,
  JwksService,
} from '../../keycloak/jwks.service';
import { TokenRejectedError } from '../auth.errors';
import { type AccessTokenClaims, type AuthenticatedUser, rolesOf } from '../authenticated-user';

export const JWT_STRATEGY = 'keycloak-jwt';

export const extractBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * passport-jwt with keys from the realm's JWKS. Before any key is looked up, the unverified
 * header and issuer are checked: that names the two commonest mistakes (a token of another
 * realm or URL, a forged `alg`) and keeps foreign tokens from triggering JWKS fetches.
 */
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

  async keyFor(rawJwt: string): Promise<KeyObject> {
    const decoded = decode(rawJwt, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') {
      throw new TokenRejectedError(
        'TOKEN_MALFORMED',
        'The access token is not a JWT with a JSON payload',
      );
    }
    const { alg, kid } = decoded.header;
    if (!isAsymmetricAlgorithm(alg)) {
      throw new TokenRejectedError(
        'TOKEN_ALGORITHM_NOT_ALLOWED',
        `The token is signed with '${String(alg)}'; only the realm's asymmetric algorithms (${this.jwks.algorithms.join(', ') || 'RS256'}) are accepted`,
      );
    }
    const iss = decoded.payload.iss;
    if (iss !== this.keycloak.expectedIssuer) {
      throw new TokenRejectedError(
        'TOKEN_ISSUER_MISMATCH',
        `Token issuer '${String(iss)}' is not the expected '${this.keycloak.expectedIssuer}'`,
        {
          hint: 'If Keycloak is reached on an internal URL but tokens carry the public one, set KEYCLOAK_PUBLIC_URL to the URL in the issuer; otherwise the token comes from another realm or server.',
        },
      );
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
}

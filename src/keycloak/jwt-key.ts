import type { KeyObject } from 'node:crypto';
import { decode } from 'jsonwebtoken';
import { isAsymmetricAlgorithm, type JwksService } from './jwks.service';
import { TokenRejectedError } from './token.errors';

/**
 * The realm key a Keycloak JWT (access, ID or logout token) must verify against. Before any
 * key is looked up, the unverified header and issuer are checked: that names the two commonest
 * mistakes (a token of another realm or URL, a forged `alg`) and keeps foreign tokens from
 * triggering JWKS fetches.
 */
export async function realmKeyFor(
  jwks: JwksService,
  expectedIssuer: string,
  rawJwt: string,
  what = 'access token',
): Promise<KeyObject> {
  const decoded = decode(rawJwt, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') {
    throw new TokenRejectedError('TOKEN_MALFORMED', `The ${what} is not a JWT with a JSON payload`);
  }
  const { alg, kid } = decoded.header;
  if (!isAsymmetricAlgorithm(alg)) {
    throw new TokenRejectedError(
      'TOKEN_ALGORITHM_NOT_ALLOWED',
      `The ${what} is signed with '${String(alg)}'; only the realm's asymmetric algorithms (${jwks.algorithms.join(', ') || 'RS256'}) are accepted`,
    );
  }
  const iss = decoded.payload.iss;
  if (iss !== expectedIssuer) {
    throw new TokenRejectedError(
      'TOKEN_ISSUER_MISMATCH',
      `Token issuer '${String(iss)}' is not the expected '${expectedIssuer}'`,
      {
        hint: 'If Keycloak is reached on an internal URL but tokens carry the public one, set KEYCLOAK_PUBLIC_URL to the URL in the issuer; otherwise the token comes from another realm or server.',
      },
    );
  }
  if (!kid) {
    throw new TokenRejectedError('TOKEN_UNKNOWN_KEY', 'The token header names no key (kid)');
  }
  const key = await jwks.getKey(kid);
  if (key.alg !== alg) {
    throw new TokenRejectedError(
      'TOKEN_ALGORITHM_NOT_ALLOWED',
      `The token says '${alg}' but key '${kid}' is a ${key.alg} key`,
    );
  }
  return key.key;
}

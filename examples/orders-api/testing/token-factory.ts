import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { sign, type SignOptions } from 'jsonwebtoken';
import { type KeySource, UnknownKeyError } from '../token-verifier';

export const ISSUER = 'http://keycloak.test/realms/demo';

/** Signs tokens as the realm would, and hands orders-api the matching key (tests only). */
export class TokenFactory implements KeySource {
  readonly kid = 'test-key';
  private readonly pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  /** Set to make key() fail as an unreachable JWKS would. */
  failWith?: Error;

  key(kid: string): Promise<KeyObject> {
    if (this.failWith) {
      return Promise.reject(this.failWith);
    }
    return kid === this.kid
      ? Promise.resolve(this.pair.publicKey)
      : Promise.reject(new UnknownKeyError(kid));
  }

  /**
   * An access token for orders-api with alice's claims, changed by `claims`; an option set to
   * undefined is left out (`{ keyid: undefined }`: no kid).
   */
  token(claims: Record<string, unknown> = {}, options: SignOptions = {}): string {
    const merged: SignOptions = {
      algorithm: 'RS256',
      keyid: this.kid,
      ...('exp' in claims ? {} : { expiresIn: 300 }),
      ...options,
    };
    return sign(
      {
        iss: ISSUER,
        aud: 'orders-api',
        sub: 'alice-id',
        typ: 'Bearer',
        azp: 'bff',
        preferred_username: 'alice',
        scope: 'openid profile',
        resource_access: { 'orders-api': { roles: ['orders:read'] } },
        ...claims,
      },
      this.pair.privateKey,
      Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)),
    );
  }
}

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { SystemClock } from '../../common/clock/clock';
import type { AuthConfig } from '../../config/auth.config';
import type { KeycloakConfig } from '../../config/keycloak.config';
import type { JwksService, VerificationKey } from '../../keycloak/jwks.service';
import { rolesOf } from '../authenticated-user';
import { JwtStrategy } from './jwt.strategy';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function setup() {
  const getKey = jest.fn<Promise<VerificationKey>, [string]>((kid) =>
    kid === 'k1'
      ? Promise.resolve({ kid, alg: 'RS256', key: publicKey })
      : Promise.reject(new Error('unknown')),
  );
  const jwks = { getKey, algorithms: ['RS256'], onKeysRemoved: jest.fn() };
  const sut = new JwtStrategy(
    jwks as unknown as JwksService,
    { expectedIssuer: ISSUER } as KeycloakConfig,
    { audience: 'bff', clockToleranceSec: 5, tokenCacheSize: 10 } as AuthConfig,
    new SystemClock(),
  );
  return { sut, getKey };
}

const token = (payload: object, options: { kid?: string; alg?: 'RS256' | 'RS384' } = {}) =>
  sign(payload, privateKey, { algorithm: options.alg ?? 'RS256', keyid: options.kid ?? 'k1' });

describe(JwtStrategy.name, () => {
  it('should hand the verifier the cached KeyObject for the kid', async () => {
    const { sut, getKey } = setup();
    const key: KeyObject = await sut.keyFor(token({ iss: ISSUER }));
    expect(key).toBe(publicKey);
    expect(getKey).toHaveBeenCalledWith('k1');
  });

  it('should refuse a foreign issuer before looking up any key', async () => {
    const { sut, getKey } = setup();
    await expect(sut.keyFor(token({ iss: 'http://other/realms/x' }))).rejects.toMatchObject({
      code: 'TOKEN_ISSUER_MISMATCH',
      detail: `Token issuer 'http://other/realms/x' is not the expected '${ISSUER}'`,
    });
    expect(getKey).not.toHaveBeenCalled();
  });

  it.each(['none', 'HS256', 'HS512', 'XYZ'])(
    'should refuse alg %s before looking up any key',
    async (alg) => {
      const { sut, getKey } = setup();
      const header = Buffer.from(JSON.stringify({ alg, kid: 'k1' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ iss: ISSUER })).toString('base64url');
      await expect(sut.keyFor(`${header}.${payload}.sig`)).rejects.toMatchObject({
        code: 'TOKEN_ALGORITHM_NOT_ALLOWED',
      });
      expect(getKey).not.toHaveBeenCalled();
    },
  );

  it("should refuse an alg that differs from the key's", async () => {
    const { sut } = setup();
    await expect(sut.keyFor(token({ iss: ISSUER }, { alg: 'RS384' }))).rejects.toMatchObject({
      code: 'TOKEN_ALGORITHM_NOT_ALLOWED',
      detail: "The token says 'RS384' but key 'k1' is a RS256 key",
    });
  });

  it('should refuse garbage as malformed', async () => {
    const { sut } = setup();
    await expect(sut.keyFor('not.a.jwt')).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('should give handlers the claims and the realm and client roles', () => {
    const { sut } = setup();
    const claims = {
      sub: 'u1',
      iss: ISSUER,
      exp: 1,
      realm_access: { roles: ['admin'] },
      resource_access: { 'orders-api': { roles: ['orders:read'] } },
    };
    expect(sut.validate(claims)).toEqual({ claims, roles: ['admin', 'orders-api:orders:read'] });
    expect(rolesOf({ sub: 'u', iss: ISSUER, exp: 1 })).toEqual([]);
  });
});

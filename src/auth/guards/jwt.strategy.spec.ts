import { generateKeyPairSync } from 'node:crypto';
import { JsonWebTokenError, sign, TokenExpiredError } from 'jsonwebtoken';
import type { AuthConfig } from '../../config/auth.config';
import type { KeycloakConfig } from '../../config/keycloak.config';
import type { JwksService, VerificationKey } from '../../keycloak/jwks.service';
import { RealmTokenVerifier } from '../../keycloak/realm-token.verifier';
import { rolesOf } from '../authenticated-user';
import { JwtStrategy } from './jwt.strategy';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function setup() {
  const key: VerificationKey = { kid: 'k1', alg: 'RS256', key: publicKey };
  const jwks = {
    getKey: () => Promise.resolve(key),
    cached: () => key,
    algorithms: ['RS256'],
  } as unknown as JwksService;
  const verifier = new RealmTokenVerifier(
    jwks,
    { expectedIssuer: ISSUER, clientId: 'bff' } as KeycloakConfig,
    { audience: 'bff', clockToleranceSec: 5 } as AuthConfig,
  );
  const sut = new JwtStrategy(verifier);
  return { sut };
}

const nowS = () => Math.floor(Date.now() / 1000);
const token = (extra: object = {}) =>
  sign({ iss: ISSUER, aud: 'bff', sub: 'alice', exp: nowS() + 60, ...extra }, privateKey, {
    algorithm: 'RS256',
    keyid: 'k1',
  });

/** What passport-jwt concludes for a bearer token: success (the user) or fail (the reason). */
function authenticate(sut: JwtStrategy, jwt: string): Promise<{ user?: unknown; info?: unknown }> {
  return new Promise((resolve, reject) => {
    // passport gives each request a copy of the strategy with these actions attached.
    const attempt = Object.assign(Object.create(sut) as JwtStrategy, {
      success: (user: unknown) => resolve({ user }),
      fail: (info: unknown) => resolve({ info }),
      error: reject,
    });
    attempt.authenticate({ headers: { authorization: `Bearer ${jwt}` } } as never, {});
  });
}

describe(JwtStrategy.name, () => {
  it('should let a token through that passes the verifier’s access-token checks', async () => {
    const { sut } = setup();
    await expect(authenticate(sut, token())).resolves.toMatchObject({
      user: { claims: { sub: 'alice' } },
    });
  });

  it.each([
    ['an audience other than AUTH_AUDIENCE', { aud: 'bff-session' }, JsonWebTokenError],
    ['an expired token, past the clock tolerance', { exp: nowS() - 10 }, TokenExpiredError],
  ])("should hold %s to the verifier's pinned options", async (_what, extra, type) => {
    const { sut } = setup();
    const { info } = await authenticate(sut, token(extra));
    expect(info).toBeInstanceOf(type);
  });

  it('should accept a token expired within the clock tolerance', async () => {
    const { sut } = setup();
    await expect(authenticate(sut, token({ exp: nowS() - 2 }))).resolves.toHaveProperty('user');
  });

  it("should refuse a foreign issuer in the verifier's key lookup", async () => {
    const { sut } = setup();
    const { info } = await authenticate(sut, token({ iss: 'http://other/realms/x' }));
    expect(info).toMatchObject({ code: 'TOKEN_ISSUER_MISMATCH' });
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

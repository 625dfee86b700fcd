import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { automock } from '../../../test/utils/automock';
import { SystemClock } from '../../common/clock/clock';
import type { AuthConfig } from '../../config/auth.config';
import type { KeycloakConfig } from '../../config/keycloak.config';
import { IntrospectedTokens } from '../../keycloak/introspected-tokens';
import { JwksService, type VerificationKey } from '../../keycloak/jwks.service';
import { RealmTokenVerifier } from '../../keycloak/realm-token.verifier';
import { rolesOf } from '../authenticated-user';
import { JwtStrategy } from './jwt.strategy';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function setup() {
  const key: VerificationKey = { kid: 'k1', alg: 'RS256', key: publicKey };
  const jwks = automock(JwksService, {
    getKey: () => Promise.resolve(key),
    cached: () => key,
    has: () => true,
    onKeysRemoved: () => undefined,
    algorithms: ['RS256'],
  });
  const auth = { audience: 'bff', clockToleranceSec: 5, tokenCacheSize: 10 } as AuthConfig;
  const verifier = new RealmTokenVerifier(
    jwks,
    { expectedIssuer: ISSUER, clientId: 'bff' } as KeycloakConfig,
    auth,
  );
  const sut = new JwtStrategy(verifier, introspectionOff(), jwks, auth, new SystemClock());
  return { sut };
}

const nowS = () => Math.floor(Date.now() / 1000);
const token = (extra: object = {}) =>
  sign({ iss: ISSUER, aud: 'bff', sub: 'alice', exp: nowS() + 60, ...extra }, privateKey, {
    algorithm: 'RS256',
    keyid: 'k1',
  });

/**
 * What the strategy concludes for a request: success (the caller), fail (not its credential:
 * the next source is tried) or error (its credential, refused: the pipeline ends).
 */
function authenticate(
  sut: JwtStrategy,
  jwt?: string,
): Promise<{ user?: unknown; info?: unknown; err?: unknown }> {
  return new Promise((resolve) => {
    // passport gives each request a copy of the strategy with these actions attached.
    const attempt = Object.assign(Object.create(sut) as JwtStrategy, {
      success: (user: unknown) => resolve({ user }),
      fail: (info: unknown) => resolve({ info }),
      error: (err: unknown) => resolve({ err }),
    });
    const headers = jwt === undefined ? {} : { authorization: `Bearer ${jwt}` };
    attempt.authenticate({ headers } as never, {});
  });
}

describe(JwtStrategy.name, () => {
  it('should let a token through that passes the verifier’s access-token checks', async () => {
    const { sut } = setup();
    const alice = token();
    await expect(authenticate(sut, alice)).resolves.toMatchObject({
      user: { claims: { sub: 'alice' }, accessToken: alice },
    });
  });

  it.each([
    ['an audience other than AUTH_AUDIENCE', { aud: 'bff-session' }, 'TOKEN_AUDIENCE_MISMATCH'],
    ['an expired token, past the clock tolerance', { exp: nowS() - 10 }, 'TOKEN_EXPIRED'],
  ])("should hold %s to the verifier's pinned options", async (_what, extra, code) => {
    const { sut } = setup();
    const { err } = await authenticate(sut, token(extra));
    expect(err).toMatchObject({ status: 401, code });
  });

  it('should accept a token expired within the clock tolerance', async () => {
    const { sut } = setup();
    await expect(authenticate(sut, token({ exp: nowS() - 2 }))).resolves.toHaveProperty('user');
  });

  it("should refuse a foreign issuer in the verifier's key lookup", async () => {
    const { sut } = setup();
    const { err } = await authenticate(sut, token({ iss: 'http://other/realms/x' }));
    expect(err).toMatchObject({ code: 'TOKEN_ISSUER_MISMATCH' });
  });

  it('should pass a request without a bearer token on to the next source, as TOKEN_MISSING', async () => {
    const { sut } = setup();
    const { info, err } = await authenticate(sut);
    expect(err).toBeUndefined();
    expect(info).toMatchObject({ code: 'TOKEN_MISSING' });
  });

  it('should remember the caller of a token it verified, and only that token', async () => {
    const { sut } = setup();
    const alice = token();
    expect(sut.remembered(alice)).toBeUndefined();
    await authenticate(sut, alice);
    expect(sut.remembered(alice)).toMatchObject({ claims: { sub: 'alice' }, accessToken: alice });
    expect(sut.remembered(token({ sub: 'bob' }))).toBeUndefined();
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

/** AUTH_INTROSPECTION=off: no token is introspected, so nothing of it may be called. */
function introspectionOff(): IntrospectedTokens {
  return automock(IntrospectedTokens, { enabled: false, wants: () => false });
}

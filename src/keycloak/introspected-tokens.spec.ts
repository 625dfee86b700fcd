import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { automock } from '../../test/utils/automock';
import { ManualClock } from '../../test/utils/manual-clock';
import type { AuthConfig, IntrospectionMode } from '../config/auth.config';
import type { KeycloakConfig } from '../config/keycloak.config';
import { IntrospectedTokens } from './introspected-tokens';
import { JwksService, type VerificationKey } from './jwks.service';
import { IdpUnavailableError } from './keycloak.errors';
import { RealmTokenVerifier } from './realm-token.verifier';
import { type Introspection, TokenIntrospector } from './token-introspector';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const REALM_KEY: VerificationKey = { kid: 'k1', alg: 'RS256', key: publicKey };

const nowS = () => Math.floor(Date.now() / 1000);

/** What Keycloak's lightweight access token keeps: no aud, no sub, no roles. */
const lightweight = (extra: object = {}, key = privateKey) =>
  sign(
    { iss: ISSUER, azp: 'bff-light', sid: 's1', scope: 'openid', exp: nowS() + 300, ...extra },
    key,
    { algorithm: 'RS256', keyid: 'k1' },
  );

const full = () =>
  sign(
    {
      iss: ISSUER,
      aud: 'bff',
      sub: 'alice',
      realm_access: { roles: ['admin'] },
      exp: nowS() + 300,
    },
    privateKey,
    { algorithm: 'RS256', keyid: 'k1' },
  );

/** Keycloak's answer for alice's token: the claims the lightweight token left out. */
const active = (extra: object = {}): Introspection => ({
  active: true,
  claims: {
    iss: ISSUER,
    aud: ['bff', 'account'],
    sub: 'alice',
    realm_access: { roles: ['admin', 'user'] },
    exp: nowS() + 300,
    ...extra,
  },
});

function setup(mode: IntrospectionMode = 'fallback', { ttlMs = 60_000, cacheSize = 100 } = {}) {
  const clock = new ManualClock(Date.now());
  const jwks = automock(JwksService, {
    getKey: () => Promise.resolve(REALM_KEY),
    cached: () => REALM_KEY,
    algorithms: ['RS256'],
  });
  const keycloak = { expectedIssuer: ISSUER, clientId: 'bff' } as KeycloakConfig;
  const auth = {
    audience: 'bff',
    clockToleranceSec: 5,
    introspection: { mode, cacheTtlMs: ttlMs, cacheSize },
  } as AuthConfig;
  const introspect = jest.fn<Promise<Introspection>, [string]>(() => Promise.resolve(active()));
  const introspector = automock(TokenIntrospector, { introspect });
  const sut = new IntrospectedTokens(
    introspector,
    new RealmTokenVerifier(jwks, keycloak, auth),
    auth,
    keycloak,
    clock,
  );
  return { sut, introspect, clock };
}

describe(IntrospectedTokens.name, () => {
  describe('wants', () => {
    it('should introspect nothing when off', () => {
      const { sut } = setup('off');
      expect([sut.wants('opaque'), sut.wants(lightweight()), sut.wants(full())]).toEqual([
        false,
        false,
        false,
      ]);
    });

    it('should introspect opaque and lightweight tokens in fallback, and leave full JWTs to the JWT path', () => {
      const { sut } = setup('fallback');
      expect([sut.wants('opaque'), sut.wants(lightweight()), sut.wants(full())]).toEqual([
        true,
        true,
        false,
      ]);
    });

    it('should introspect every token when always', () => {
      const { sut } = setup('always');
      expect(sut.wants(full())).toBe(true);
    });
  });

  it("should answer with Keycloak's claims and remember them", async () => {
    const { sut, introspect } = setup();
    const token = lightweight();

    await expect(sut.claimsOf(token)).resolves.toMatchObject({
      sub: 'alice',
      realm_access: { roles: ['admin', 'user'] },
    });

    expect(sut.remembered(token)).toMatchObject({ sub: 'alice' });
    expect(introspect).toHaveBeenCalledTimes(1);
  });

  it('should introspect a token once for 100 concurrent first requests', async () => {
    const { sut, introspect } = setup();
    const token = lightweight();

    const answers = await Promise.all(Array.from({ length: 100 }, () => sut.claimsOf(token)));

    expect(answers.every((claims) => claims.sub === 'alice')).toBe(true);
    expect(introspect).toHaveBeenCalledTimes(1);
  });

  it('should refuse an inactive token with TOKEN_INACTIVE, and remember the refusal', async () => {
    const { sut, introspect } = setup();
    introspect.mockResolvedValue({ active: false });

    await expect(sut.claimsOf('opaque')).rejects.toMatchObject({
      code: 'TOKEN_INACTIVE',
      status: 401,
    });
    await expect(sut.claimsOf('opaque')).rejects.toMatchObject({ code: 'TOKEN_INACTIVE' });
    expect(sut.remembered('opaque')).toBeUndefined();
    expect(introspect).toHaveBeenCalledTimes(1);
  });

  it('should name the reason the server gives for an inactive token', async () => {
    const { sut, introspect } = setup();
    introspect.mockResolvedValue({ active: false, reason: 'revoked' });

    await expect(sut.claimsOf('opaque')).rejects.toMatchObject({
      detail: expect.stringContaining(': revoked') as string,
    });
  });

  it('should ask again once AUTH_INTROSPECTION_CACHE_TTL_S has passed', async () => {
    const { sut, introspect, clock } = setup('always', { ttlMs: 2000 });
    const token = lightweight();
    await sut.claimsOf(token);

    clock.advance(1999);
    expect(sut.remembered(token)).toBeDefined();
    clock.advance(1);
    expect(sut.remembered(token)).toBeUndefined();
    introspect.mockResolvedValue({ active: false });
    await expect(sut.claimsOf(token)).rejects.toMatchObject({ code: 'TOKEN_INACTIVE' });
    expect(introspect).toHaveBeenCalledTimes(2);
  });

  it('should not remember a token past its exp, even within the TTL', async () => {
    const { sut, introspect, clock } = setup('fallback', { ttlMs: 600_000 });
    introspect.mockResolvedValue(active({ exp: Math.floor(clock.now() / 1000) + 10 }));
    const token = lightweight();
    await sut.claimsOf(token);

    clock.advance(10_000);

    expect(sut.remembered(token)).toBeUndefined();
  });

  it('should keep answering for cached tokens while Keycloak is unreachable, and 503 IDP_UNAVAILABLE for new ones', async () => {
    const { sut, introspect } = setup();
    const known = lightweight();
    await sut.claimsOf(known);
    introspect.mockRejectedValue(new IdpUnavailableError('introspect', 'ECONNREFUSED'));

    await expect(sut.claimsOf(known)).resolves.toMatchObject({ sub: 'alice' });
    const unknown = lightweight({ jti: 'other' });
    await expect(sut.claimsOf(unknown)).rejects.toMatchObject({
      code: 'IDP_UNAVAILABLE',
      status: 503,
    });
    // A failure is not a verdict: the next request asks again.
    introspect.mockResolvedValue(active());
    await expect(sut.claimsOf(unknown)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('should refuse a forged JWT from its own signature, without asking Keycloak', async () => {
    const { sut, introspect } = setup();

    await expect(sut.claimsOf(lightweight({}, forger.privateKey))).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
    });
    expect(introspect).not.toHaveBeenCalled();
  });

  it('should refuse an active token whose introspected audience is not AUTH_AUDIENCE', async () => {
    const { sut, introspect } = setup();
    introspect.mockResolvedValue(active({ aud: 'account' }));

    await expect(sut.claimsOf(lightweight())).rejects.toMatchObject({
      code: 'TOKEN_AUDIENCE_MISMATCH',
    });
  });

  it('should stay within its bound, dropping the oldest entry first', async () => {
    const { sut } = setup('fallback', { cacheSize: 2 });
    const tokens = ['a', 'b', 'c'].map((jti) => lightweight({ jti }));
    for (const token of tokens) {
      await sut.claimsOf(token);
    }

    expect(sut.size).toBe(2);
    expect(tokens.map((token) => sut.remembered(token) !== undefined)).toEqual([false, true, true]);
  });
});

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { sign, type SignOptions } from 'jsonwebtoken';
import { automock } from '../../test/utils/automock';
import { sessionTestConfig } from '../../test/utils/session-fixture';
import { SystemClock } from '../common/clock/clock';
import type { AuthConfig } from '../config/auth.config';
import type { KeycloakConfig } from '../config/keycloak.config';
import { IntrospectedTokens } from '../keycloak/introspected-tokens';
import { JwksService, type VerificationKey } from '../keycloak/jwks.service';
import { RealmTokenVerifier } from '../keycloak/realm-token.verifier';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  LOGOUT_TOKEN_MAX_AGE_S,
  OidcTokenVerifier,
} from './oidc-token.verifier';
import { SessionSealer } from './session-sealer';
import { SessionRepository } from './session.repository';
import { MemorySessionStore } from './store/memory-session.store';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const clock = new SystemClock();
const repository = new SessionRepository(
  clock,
  new MemorySessionStore(clock),
  new SessionSealer(sessionTestConfig()),
  sessionTestConfig(),
);

const keycloak = { expectedIssuer: ISSUER, clientId: 'bff-session' } as KeycloakConfig;
const auth = { audience: 'bff-session', clockToleranceSec: 5 } as AuthConfig;
const realmKey: VerificationKey = { kid: 'k1', alg: 'RS256', key: publicKey };
const sut = new OidcTokenVerifier(
  new RealmTokenVerifier(
    automock(JwksService, {
      getKey: () => Promise.resolve(realmKey),
      cached: () => realmKey,
      algorithms: ['RS256'],
    }),
    keycloak,
    auth,
  ),
  keycloak,
  auth,
  repository,
  // AUTH_INTROSPECTION=off: every access token is verified here.
  automock(IntrospectedTokens, { wants: () => false }),
);

const jwt = (payload: object, key = privateKey) =>
  sign(payload, key, { algorithm: 'RS256', keyid: 'k1', expiresIn: 60 });

const nowS = () => Math.floor(Date.now() / 1000);

/** A logout token as Keycloak 26 sends it: typ logout+jwt, iat, jti, no exp needed. */
const logout = (extra: object = {}, options: SignOptions = {}) => {
  const payload = Object.fromEntries(
    Object.entries({
      iss: ISSUER,
      aud: 'bff-session',
      sub: 'alice',
      sid: 'kc-session',
      iat: nowS(),
      jti: randomUUID(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      ...extra,
    }).filter(([, value]) => value !== undefined),
  );
  return sign(payload, privateKey, {
    algorithm: 'RS256',
    keyid: 'k1',
    header: { alg: 'RS256', typ: 'logout+jwt' },
    // jsonwebtoken would add an iat of its own; a test that removes it means it.
    noTimestamp: payload.iat === undefined,
    ...options,
  });
};

describe(OidcTokenVerifier.name, () => {
  describe('idToken', () => {
    const id = (extra: object = {}) =>
      jwt({ iss: ISSUER, aud: 'bff-session', sub: 'alice', nonce: 'n1', ...extra });

    it('should accept a signed ID token with the expected nonce', async () => {
      await expect(sut.idToken(id(), 'n1')).resolves.toMatchObject({ sub: 'alice' });
    });

    it('should refuse another nonce with NONCE_MISMATCH', async () => {
      await expect(sut.idToken(id(), 'n2')).rejects.toMatchObject({ code: 'NONCE_MISMATCH' });
    });

    it.each([
      ['another audience', { aud: 'spa' }],
      ['another issuer', { iss: 'http://evil/realms/demo' }],
    ])('should refuse %s with ID_TOKEN_INVALID', async (_what, extra) => {
      await expect(sut.idToken(id(extra), 'n1')).rejects.toMatchObject({
        code: 'ID_TOKEN_INVALID',
      });
    });

    it('should refuse a token for several audiences whose azp is not this client', async () => {
      const token = id({ aud: ['bff-session', 'other'], azp: 'other' });
      await expect(sut.idToken(token, 'n1')).rejects.toMatchObject({ code: 'ID_TOKEN_INVALID' });
      const noAzp = id({ aud: ['bff-session', 'other'] });
      await expect(sut.idToken(noAzp, 'n1')).rejects.toMatchObject({ code: 'ID_TOKEN_INVALID' });
    });

    it('should accept several audiences when azp is this client', async () => {
      const token = id({ aud: ['bff-session', 'other'], azp: 'bff-session' });
      await expect(sut.idToken(token, 'n1')).resolves.toMatchObject({ sub: 'alice' });
    });

    it('should refuse a token signed by another key', async () => {
      const forged = jwt(
        { iss: ISSUER, aud: 'bff-session', sub: 'alice', nonce: 'n1' },
        other.privateKey,
      );
      await expect(sut.idToken(forged, 'n1')).rejects.toMatchObject({ code: 'ID_TOKEN_INVALID' });
    });
  });

  describe('accessToken', () => {
    it('should answer a token Keycloak issued for another audience with 502 ACCESS_TOKEN_INVALID, not a bearer 401', async () => {
      const token = jwt({ iss: ISSUER, aud: 'spa', sub: 'alice' });
      await expect(sut.accessToken(token)).rejects.toMatchObject({
        code: 'ACCESS_TOKEN_INVALID',
        status: 502,
        hint: expect.stringContaining('bff-session') as string,
      });
    });
  });

  describe('logoutToken', () => {
    it('should accept a back-channel logout token and name sid and sub', async () => {
      await expect(sut.logoutToken(logout())).resolves.toEqual({
        sid: 'kc-session',
        sub: 'alice',
      });
    });

    it('should accept a token without a typ header', async () => {
      const untyped = logout({}, { header: { alg: 'RS256', typ: undefined } });
      await expect(sut.logoutToken(untyped)).resolves.toMatchObject({ sid: 'kc-session' });
    });

    it.each([
      ['without the logout event', { events: { other: {} } }, /events lacks/],
      ['without events', { events: undefined }, /events lacks/],
      ['with a nonce', { nonce: 'x' }, /nonce/],
      ['without sid and sub', { sid: undefined, sub: undefined }, /neither sid nor sub/],
      ['for another client', { aud: 'bff' }, /audience/],
      ['from another issuer', { iss: 'http://evil/realms/demo' }, /issuer/],
      ['without iat', { iat: undefined }, /iat is missing/],
      ['issued too long ago', { iat: nowS() - LOGOUT_TOKEN_MAX_AGE_S - 60 }, /iat is more than/],
      ['issued in the future', { iat: nowS() + 600 }, /iat|before/],
      ['without jti', { jti: undefined }, /jti is missing/],
    ])('should refuse a token %s with LOGOUT_TOKEN_INVALID', async (_what, extra, why) => {
      const token = logout(extra);
      const refusal = sut.logoutToken(token);
      await expect(refusal).rejects.toMatchObject({ code: 'LOGOUT_TOKEN_INVALID', status: 400 });
      await expect(refusal).rejects.toMatchObject({ detail: expect.stringMatching(why) as string });
    });

    it('should refuse an ID token (typ JWT) posted as a logout token', async () => {
      const typed = logout({}, { header: { alg: 'RS256', typ: 'JWT' } });
      await expect(sut.logoutToken(typed)).rejects.toMatchObject({
        code: 'LOGOUT_TOKEN_INVALID',
        detail: expect.stringContaining("typ header is 'JWT'") as string,
      });
    });

    it('should refuse a replayed logout token (same jti)', async () => {
      const token = logout();
      await expect(sut.logoutToken(token)).resolves.toBeDefined();
      await expect(sut.logoutToken(token)).rejects.toMatchObject({
        code: 'LOGOUT_TOKEN_INVALID',
        detail: expect.stringContaining('already used') as string,
      });
    });
  });
});

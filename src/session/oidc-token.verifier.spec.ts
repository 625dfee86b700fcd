import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { AuthConfig } from '../config/auth.config';
import type { KeycloakConfig } from '../config/keycloak.config';
import type { JwksService } from '../keycloak/jwks.service';
import { BACKCHANNEL_LOGOUT_EVENT, OidcTokenVerifier } from './oidc-token.verifier';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const sut = new OidcTokenVerifier(
  {
    getKey: () => Promise.resolve({ kid: 'k1', alg: 'RS256', key: publicKey }),
    algorithms: ['RS256'],
  } as unknown as JwksService,
  { expectedIssuer: ISSUER, clientId: 'bff-session' } as KeycloakConfig,
  { audience: 'bff-session', clockToleranceSec: 5 } as AuthConfig,
);

const jwt = (payload: object, key = privateKey) =>
  sign(payload, key, { algorithm: 'RS256', keyid: 'k1', expiresIn: 60 });

const logout = (extra: object = {}) =>
  jwt({
    iss: ISSUER,
    aud: 'bff-session',
    sub: 'alice',
    sid: 'kc-session',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...extra,
  });

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

    it.each([
      ['without the logout event', { events: { other: {} } }],
      ['with a nonce', { nonce: 'x' }],
      ['without sid and sub', { sid: undefined, sub: undefined }],
      ['for another client', { aud: 'bff' }],
    ])('should refuse a token %s with LOGOUT_TOKEN_INVALID', async (_what, extra) => {
      await expect(sut.logoutToken(logout(extra))).rejects.toMatchObject({
        code: 'LOGOUT_TOKEN_INVALID',
        status: 400,
      });
    });
  });
});

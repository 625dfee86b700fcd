import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { JsonWebTokenError, sign } from 'jsonwebtoken';
import { automock } from '../../test/utils/automock';
import type { AuthConfig } from '../config/auth.config';
import type { KeycloakConfig } from '../config/keycloak.config';
import { JwksService, type VerificationKey } from './jwks.service';
import { RealmTokenVerifier } from './realm-token.verifier';
import { TokenRejectedError } from './token.errors';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const REALM_KEY: VerificationKey = { kid: 'k1', alg: 'RS256', key: publicKey };

function setup() {
  let current: VerificationKey | undefined = REALM_KEY;
  const getKey = jest.fn<Promise<VerificationKey>, [string]>((kid) =>
    kid === 'k1' && current
      ? Promise.resolve(current)
      : Promise.reject(new TokenRejectedError('TOKEN_UNKNOWN_KEY', `no key ${kid}`)),
  );
  const cached = jest.fn<VerificationKey | undefined, [string]>((kid) =>
    kid === 'k1' ? current : undefined,
  );
  const jwks = automock(JwksService, { getKey, cached, algorithms: ['RS256'] });
  const sut = new RealmTokenVerifier(
    jwks,
    { expectedIssuer: ISSUER, clientId: 'bff-session' } as KeycloakConfig,
    { audience: 'bff', clockToleranceSec: 5 } as AuthConfig,
  );
  return { sut, getKey, dropKey: () => (current = undefined) };
}

const nowS = () => Math.floor(Date.now() / 1000);

const claims = (extra: object = {}) => ({
  iss: ISSUER,
  aud: 'bff',
  sub: 'alice',
  exp: nowS() + 60,
  ...extra,
});

const token = (
  payload: object = claims(),
  options: { kid?: string; alg?: 'RS256' | 'RS384'; key?: KeyObject } = {},
) =>
  sign(payload, options.key ?? privateKey, {
    algorithm: options.alg ?? 'RS256',
    keyid: options.kid ?? 'k1',
  });

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signed by the realm key, with a payload jsonwebtoken's sign() would refuse to write. */
function rawSigned(payload: object): string {
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey, 'base64url')}`;
}

/** What jsonwebtoken's verify threw for this token, as passport-jwt would hand it on. */
function libraryError(sut: RealmTokenVerifier, jwt: string): unknown {
  return sut.verify(jwt, 'access').then(
    () => undefined,
    (err: TokenRejectedError) => err.cause,
  );
}

describe(RealmTokenVerifier.name, () => {
  it('should pin the same checks for every kind, only the audience differs', () => {
    const { sut } = setup();
    const access = sut.options('access');
    expect(access).toEqual({
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
      issuer: ISSUER,
      audience: 'bff',
      clockTolerance: 5,
    });
    expect(sut.options('id')).toEqual({ ...access, audience: 'bff-session' });
    expect(sut.options('logout')).toEqual({ ...access, audience: 'bff-session' });
  });

  describe('verify', () => {
    it('should return the claims of a token that passes every check', async () => {
      const { sut } = setup();
      await expect(sut.verify(token(), 'access')).resolves.toMatchObject({
        sub: 'alice',
        aud: 'bff',
      });
    });

    it.each<[string, string, () => string]>([
      ['garbage', 'TOKEN_MALFORMED', () => 'garbage'],
      ['an expired token', 'TOKEN_EXPIRED', () => token(claims({ exp: nowS() - 60 }))],
      ['a token not yet valid', 'TOKEN_NOT_YET_VALID', () => token(claims({ nbf: nowS() + 60 }))],
      [
        'a token signed by another key',
        'TOKEN_SIGNATURE_INVALID',
        () => token(claims(), { key: other.privateKey }),
      ],
      [
        'a token for another audience',
        'TOKEN_AUDIENCE_MISMATCH',
        () => token(claims({ aud: 'spa' })),
      ],
      [
        'a token without an audience',
        'TOKEN_AUDIENCE_MISMATCH',
        () => token(claims({ aud: undefined })),
      ],
      [
        'a token from another issuer',
        'TOKEN_ISSUER_MISMATCH',
        () => token(claims({ iss: 'http://other/realms/x' })),
      ],
      [
        'a token without a signature',
        'TOKEN_ALGORITHM_NOT_ALLOWED',
        () => token().split('.').slice(0, 2).join('.') + '.',
      ],
      ['an exp that is no number', 'TOKEN_MALFORMED', () => rawSigned(claims({ exp: 'soon' }))],
      ['an nbf that is no number', 'TOKEN_MALFORMED', () => rawSigned(claims({ nbf: 'now' }))],
      ['an unknown key', 'TOKEN_UNKNOWN_KEY', () => token(claims(), { kid: 'k9' })],
    ])('should refuse %s with %s, a 401 with a bearer challenge', async (_what, code, make) => {
      const { sut } = setup();
      const refusal = sut.verify(make(), 'access');
      await expect(refusal).rejects.toBeInstanceOf(TokenRejectedError);
      await expect(refusal).rejects.toMatchObject({
        status: 401,
        code,
        headers: {
          'WWW-Authenticate': expect.stringMatching(
            /^Bearer realm="keycloak-bff", error="invalid_token"/,
          ),
        },
      });
    });

    it('should say when the token expired and how to get a new one', async () => {
      const { sut } = setup();
      const exp = nowS() - 60;
      await expect(sut.verify(token(claims({ exp })), 'access')).rejects.toMatchObject({
        detail: `The access token expired at ${new Date(exp * 1000).toISOString()}`,
        hint: 'Refresh it (POST /auth/refresh) or log in again.',
      });
    });

    it('should name the expected audience and the one the token has', async () => {
      const { sut } = setup();
      await expect(
        sut.verify(token(claims({ aud: ['account', 'spa'] })), 'access'),
      ).rejects.toMatchObject({
        detail:
          "The access token is not meant for this service: expected aud 'bff', the token's audience is 'account', 'spa'",
        hint: "Add an audience mapper for 'bff' to the client that requested the token.",
      });
    });

    it("should take a token without aud for a lightweight one and name doctor's row for it", async () => {
      const { sut } = setup();
      await expect(sut.verify(token(claims({ aud: undefined })), 'access')).rejects.toMatchObject({
        code: 'TOKEN_AUDIENCE_MISMATCH',
        hint: expect.stringContaining("(check 'lightweight access tokens')") as string,
      });
    });

    it('should hold ID and logout tokens to the client id as audience, and name their kind', async () => {
      const { sut } = setup();
      const forBff = token(claims({ aud: 'bff' }));
      await expect(sut.verify(forBff, 'id')).rejects.toMatchObject({
        code: 'TOKEN_AUDIENCE_MISMATCH',
        detail: expect.stringMatching(
          /^The ID token is not meant .* expected aud 'bff-session'/,
        ) as string,
      });
      await expect(
        sut.verify(token(claims({ aud: 'bff-session' })), 'logout'),
      ).resolves.toMatchObject({
        sub: 'alice',
      });
    });

    it('should name the signature, not the audience, when a forged token also has the wrong aud', async () => {
      // jsonwebtoken checks the signature before aud: the re-check keeps that order.
      const { sut } = setup();
      const forged = token(claims({ aud: 'spa' }), { key: other.privateKey });
      await expect(sut.verify(forged, 'access')).rejects.toMatchObject({
        code: 'TOKEN_SIGNATURE_INVALID',
        detail: 'The access token signature does not match its content',
      });
    });
  });

  describe('keyFor', () => {
    it('should hand out the cached KeyObject for the kid', async () => {
      const { sut, getKey } = setup();
      const key: KeyObject = await sut.keyFor(token(), 'access');
      expect(key).toBe(publicKey);
      expect(getKey).toHaveBeenCalledWith('k1');
    });

    it('should refuse a foreign issuer before looking up any key', async () => {
      const { sut, getKey } = setup();
      await expect(
        sut.keyFor(token(claims({ iss: 'http://other/realms/x' })), 'access'),
      ).rejects.toMatchObject({
        code: 'TOKEN_ISSUER_MISMATCH',
        detail: `Token issuer 'http://other/realms/x' is not the expected '${ISSUER}'`,
        hint: expect.stringMatching(/KEYCLOAK_PUBLIC_URL.*\(check 'issuer'\)/) as string,
      });
      expect(getKey).not.toHaveBeenCalled();
    });

    it.each(['none', 'HS256', 'HS512', 'XYZ'])(
      'should refuse alg %s before looking up any key',
      async (alg) => {
        const { sut, getKey } = setup();
        const header = b64({ alg, kid: 'k1' });
        await expect(
          sut.keyFor(`${header}.${b64({ iss: ISSUER })}.sig`, 'access'),
        ).rejects.toMatchObject({
          code: 'TOKEN_ALGORITHM_NOT_ALLOWED',
        });
        expect(getKey).not.toHaveBeenCalled();
      },
    );

    it("should refuse an alg that differs from the key's", async () => {
      const { sut } = setup();
      await expect(sut.keyFor(token(claims(), { alg: 'RS384' }), 'access')).rejects.toMatchObject({
        code: 'TOKEN_ALGORITHM_NOT_ALLOWED',
        detail: "The token says 'RS384' but key 'k1' is a RS256 key",
      });
    });

    it('should refuse a token whose header names no key', async () => {
      const { sut, getKey } = setup();
      const header = b64({ alg: 'RS256' });
      await expect(
        sut.keyFor(`${header}.${b64({ iss: ISSUER })}.sig`, 'access'),
      ).rejects.toMatchObject({
        code: 'TOKEN_UNKNOWN_KEY',
      });
      expect(getKey).not.toHaveBeenCalled();
    });

    it('should refuse garbage as malformed, naming the kind', async () => {
      const { sut } = setup();
      await expect(sut.keyFor('not.a.jwt', 'logout')).rejects.toMatchObject({
        code: 'TOKEN_MALFORMED',
        detail: 'The logout token is not a JWT with a JSON payload',
      });
    });
  });

  describe('rejection', () => {
    it('should pass our own errors through', () => {
      const { sut } = setup();
      const own = new TokenRejectedError('TOKEN_UNKNOWN_KEY', 'x');
      expect(sut.rejection(own, token(), 'access')).toBe(own);
    });

    it('should answer no token with TOKEN_MISSING and a challenge without an error (RFC 6750 §3.1)', () => {
      const { sut } = setup();
      expect(sut.rejection(new Error('No auth token'), null, 'access')).toMatchObject({
        status: 401,
        code: 'TOKEN_MISSING',
        headers: { 'WWW-Authenticate': 'Bearer realm="keycloak-bff"' },
      });
    });

    it("should go by the token, not by the library's message", async () => {
      const { sut } = setup();
      const forged = token(claims(), { key: other.privateKey });
      // The same refusal, worded as if the audience had failed: the signature still did.
      const misleading = new JsonWebTokenError('jwt audience invalid. expected: bff');
      expect(sut.rejection(misleading, forged, 'access')).toMatchObject({
        code: 'TOKEN_SIGNATURE_INVALID',
      });
      expect(sut.rejection(await libraryError(sut, forged), forged, 'access')).toMatchObject({
        code: 'TOKEN_SIGNATURE_INVALID',
      });
    });

    it('should name the signature when the key left the cache and every claim holds', () => {
      const { sut, dropKey } = setup();
      dropKey();
      const forged = token(claims(), { key: other.privateKey });
      expect(
        sut.rejection(new JsonWebTokenError('invalid signature'), forged, 'access'),
      ).toMatchObject({ code: 'TOKEN_SIGNATURE_INVALID' });
    });

    it('should call a refusal it cannot explain malformed, keeping the cause', () => {
      const { sut } = setup();
      expect(sut.rejection('weird', token(), 'access')).toMatchObject({
        code: 'TOKEN_MALFORMED',
        cause: 'weird',
      });
      // Every check holds for this token, so nothing names the library's complaint.
      const unexplained = new JsonWebTokenError('jwt subject invalid. expected: bob');
      expect(sut.rejection(unexplained, token(), 'access')).toMatchObject({
        code: 'TOKEN_MALFORMED',
        detail: 'The access token is malformed: jwt subject invalid. expected: bob',
        cause: unexplained,
      });
    });
  });
});

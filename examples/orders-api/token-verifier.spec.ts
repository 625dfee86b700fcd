import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { ApiError } from './errors';
import { ISSUER, TokenFactory } from './testing/token-factory';
import { KeysUnavailableError, TokenVerifier } from './token-verifier';

describe(TokenVerifier.name, () => {
  const tokens = new TokenFactory();
  const verifierWith = (soleAudience = false) =>
    new TokenVerifier(tokens, { issuer: ISSUER, audience: 'orders-api', soleAudience });
  let sut: TokenVerifier;

  beforeEach(() => {
    tokens.failWith = undefined;
    sut = verifierWith();
  });

  /** The refusal's status, error and description, for one-line expectations. */
  async function refusal(token: string, verifier = sut) {
    const err: unknown = await verifier.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof ApiError)) {
      throw new Error(`expected an ApiError, got ${String(err)}`);
    }
    return { status: err.status, error: err.error, description: err.description };
  }

  it('should return the claims of a valid access token', async () => {
    await expect(sut.verify(tokens.token())).resolves.toMatchObject({
      sub: 'alice-id',
      aud: 'orders-api',
      azp: 'bff',
    });
  });

  it('should accept orders-api among other audiences unless the sole audience is required', async () => {
    const broad = tokens.token({ aud: ['bff', 'orders-api', 'account'] });
    await expect(sut.verify(broad)).resolves.toMatchObject({ sub: 'alice-id' });
    expect(await refusal(broad, verifierWith(true))).toEqual({
      status: 401,
      error: 'invalid_token',
      description:
        'The token is also meant for bff, account; only tokens for orders-api alone are accepted (exchange it for audience orders-api)',
    });
    await expect(verifierWith(true).verify(tokens.token())).resolves.toMatchObject({
      aud: 'orders-api',
    });
  });

  it.each([
    [
      'another audience',
      () => tokens.token({ aud: ['bff', 'account'] }),
      'The token is not meant for orders-api: its aud is [bff, account]',
    ],
    [
      'no audience',
      () => tokens.token({ aud: undefined }),
      'The token is not meant for orders-api: its aud is []',
    ],
    [
      'another issuer',
      () => tokens.token({ iss: 'http://evil.test/realms/demo' }),
      "The token's issuer 'http://evil.test/realms/demo' is not 'http://keycloak.test/realms/demo'",
    ],
    [
      'an ID token',
      () => tokens.token({ typ: 'ID' }),
      "The token is a Keycloak 'ID' token, not an access token",
    ],
    ['a non-JWT', () => 'not-a-jwt', 'The token is not a JWT'],
    [
      'an unknown kid',
      () => tokens.token({}, { keyid: 'other-key' }),
      "The token's signing key 'other-key' is not one of the realm's",
    ],
    [
      'no kid',
      () => tokens.token({}, { keyid: undefined }),
      'The token names no signing key (kid)',
    ],
  ])(
    'should refuse %s with 401 invalid_token naming the check',
    async (_what, make, description) => {
      expect(await refusal(make())).toEqual({ status: 401, error: 'invalid_token', description });
    },
  );

  it('should refuse an expired token, naming when it expired', async () => {
    const expired = tokens.token(
      { exp: Math.floor(Date.now() / 1000) - 60 },
      { expiresIn: undefined },
    );
    const { status, description } = await refusal(expired);
    expect(status).toBe(401);
    expect(description).toMatch(/^The token expired at \d{4}-\d\d-\d\dT/);
  });

  it('should refuse a token signed by another key under the realm key id', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = sign({ iss: ISSUER, aud: 'orders-api' }, other, {
      algorithm: 'RS256',
      keyid: tokens.kid,
    });
    expect(await refusal(forged)).toEqual({
      status: 401,
      error: 'invalid_token',
      description: 'The token is not valid: invalid signature',
    });
  });

  it.each(['HS256', 'none'])(
    'should refuse the %s algorithm before looking for a key',
    async (alg) => {
      const header = Buffer.from(JSON.stringify({ alg, kid: tokens.kid })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ iss: ISSUER, aud: 'orders-api' })).toString(
        'base64url',
      );
      const keySpy = jest.spyOn(tokens, 'key');
      expect(await refusal(`${header}.${payload}.c2ln`)).toEqual({
        status: 401,
        error: 'invalid_token',
        description: `The token's algorithm '${alg}' is not accepted`,
      });
      expect(keySpy).not.toHaveBeenCalled();
    },
  );

  it('should answer 503 when the signing keys cannot be loaded', async () => {
    tokens.failWith = new KeysUnavailableError('the JWKS could not be loaded');
    expect(await refusal(tokens.token())).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
      description: 'The signing keys cannot be loaded; try again later',
    });
  });
});

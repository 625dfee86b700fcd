import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from 'jsonwebtoken';
import { TokenRejectedError } from '../keycloak/token.errors';
import { toTokenError } from './token-errors';

const expected = { issuer: 'http://kc/realms/demo', audience: 'bff' };

describe(toTokenError.name, () => {
  it.each([
    ['no token', new Error('No auth token'), 'TOKEN_MISSING'],
    ['expired', new TokenExpiredError('jwt expired', new Date(0)), 'TOKEN_EXPIRED'],
    ['not yet valid', new NotBeforeError('jwt not active', new Date(0)), 'TOKEN_NOT_YET_VALID'],
    ['bad signature', new JsonWebTokenError('invalid signature'), 'TOKEN_SIGNATURE_INVALID'],
    [
      'audience',
      new JsonWebTokenError('jwt audience invalid. expected: bff'),
      'TOKEN_AUDIENCE_MISMATCH',
    ],
    ['issuer', new JsonWebTokenError('jwt issuer invalid. expected: x'), 'TOKEN_ISSUER_MISMATCH'],
    ['algorithm', new JsonWebTokenError('invalid algorithm'), 'TOKEN_ALGORITHM_NOT_ALLOWED'],
    ['unsigned', new JsonWebTokenError('jwt signature is required'), 'TOKEN_ALGORITHM_NOT_ALLOWED'],
    ['malformed', new JsonWebTokenError('jwt malformed'), 'TOKEN_MALFORMED'],
    ['anything else', 'weird', 'TOKEN_MALFORMED'],
  ])('should map %s to %s, 401 with a bearer challenge', (_name, info, code) => {
    const sut = toTokenError(info, expected);
    expect(sut).toBeInstanceOf(TokenRejectedError);
    expect(sut).toMatchObject({
      status: 401,
      code,
      headers: { 'WWW-Authenticate': expect.stringMatching(/^Bearer /) },
    });
  });

  it('should pass our own errors through', () => {
    const own = new TokenRejectedError('TOKEN_UNKNOWN_KEY', 'x');
    expect(toTokenError(own, expected)).toBe(own);
  });

  it('should keep quotes and newlines out of the challenge header', () => {
    const sut = new TokenRejectedError('TOKEN_MALFORMED', 'bad "value"\nhere');
    expect(sut.headers['WWW-Authenticate']).toBe(
      `Bearer realm="keycloak-bff", error="invalid_token", error_description="bad 'value' here"`,
    );
  });
});

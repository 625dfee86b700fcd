import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from 'jsonwebtoken';
import { ProblemError } from '../common/errors/problem.error';
import { TokenRejectedError } from '../keycloak/token.errors';

/**
 * passport-jwt reports every refusal through jsonwebtoken's errors (or our own from the key
 * provider); each gets its own code instead of one "invalid token".
 */
export function toTokenError(
  info: unknown,
  expected: { issuer: string; audience: string },
): ProblemError {
  if (info instanceof ProblemError) {
    return info;
  }
  if (info instanceof TokenExpiredError) {
    return new TokenRejectedError(
      'TOKEN_EXPIRED',
      `The access token expired at ${info.expiredAt.toISOString()}`,
      {
        hint: 'Refresh it (POST /auth/refresh) or log in again.',
      },
    );
  }
  if (info instanceof NotBeforeError) {
    return new TokenRejectedError(
      'TOKEN_NOT_YET_VALID',
      `The access token is not valid before ${info.date.toISOString()}`,
      {
        hint: "Check the clocks of this host and Keycloak's; AUTH_CLOCK_TOLERANCE_S allows small skew.",
      },
    );
  }
  if (info instanceof JsonWebTokenError) {
    const message = info.message;
    if (message === 'invalid signature') {
      return new TokenRejectedError(
        'TOKEN_SIGNATURE_INVALID',
        'The access token signature does not match its content',
      );
    }
    if (message.startsWith('jwt audience invalid')) {
      return new TokenRejectedError(
        'TOKEN_AUDIENCE_MISMATCH',
        `The access token is not meant for this service: expected aud '${expected.audience}'`,
        {
          hint: `Add an audience mapper for '${expected.audience}' to the client that requested the token.`,
        },
      );
    }
    if (message.startsWith('jwt issuer invalid')) {
      return new TokenRejectedError(
        'TOKEN_ISSUER_MISMATCH',
        `The token issuer is not '${expected.issuer}'`,
      );
    }
    if (message === 'invalid algorithm' || message.includes('signature is required')) {
      return new TokenRejectedError(
        'TOKEN_ALGORITHM_NOT_ALLOWED',
        `The token's algorithm is not allowed: ${message}`,
      );
    }
    return new TokenRejectedError('TOKEN_MALFORMED', `The access token is malformed: ${message}`, {
      cause: info,
    });
  }
  if (info instanceof Error && info.message === 'No auth token') {
    return new TokenRejectedError('TOKEN_MISSING', 'No bearer token in the Authorization header', {
      hint: 'Send Authorization: Bearer <access token>.',
    });
  }
  return new TokenRejectedError('TOKEN_MALFORMED', 'The access token could not be verified', {
    cause: info,
  });
}

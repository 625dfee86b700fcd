import { ProblemError, type UpstreamInfo } from '../common/errors/problem.error';

/** Codes of the auth module; docs/errors.md lists each with its meaning. */
export const AuthErrorCode = {
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED',
  ACCOUNT_NOT_FULLY_SET_UP: 'ACCOUNT_NOT_FULLY_SET_UP',
  SESSION_NOT_ACTIVE: 'SESSION_NOT_ACTIVE',
  INVALID_REFRESH_TOKEN: 'INVALID_REFRESH_TOKEN',
  INVALID_SCOPE: 'INVALID_SCOPE',
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  TOKEN_SIGNATURE_INVALID: 'TOKEN_SIGNATURE_INVALID',
  TOKEN_ALGORITHM_NOT_ALLOWED: 'TOKEN_ALGORITHM_NOT_ALLOWED',
  TOKEN_ISSUER_MISMATCH: 'TOKEN_ISSUER_MISMATCH',
  TOKEN_AUDIENCE_MISMATCH: 'TOKEN_AUDIENCE_MISMATCH',
  TOKEN_UNKNOWN_KEY: 'TOKEN_UNKNOWN_KEY',
  TOKEN_NOT_ACTIVE: 'TOKEN_NOT_ACTIVE',
  JWKS_UNAVAILABLE: 'JWKS_UNAVAILABLE',
  MISSING_OPENID_SCOPE: 'MISSING_OPENID_SCOPE',
  FORBIDDEN_ROLE: 'FORBIDDEN_ROLE',
  BFF_CLIENT_MISCONFIGURED: 'BFF_CLIENT_MISCONFIGURED',
  RATE_LIMITED: 'RATE_LIMITED',
} as const;

export type TokenErrorCode =
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_SIGNATURE_INVALID'
  | 'TOKEN_ALGORITHM_NOT_ALLOWED'
  | 'TOKEN_ISSUER_MISMATCH'
  | 'TOKEN_AUDIENCE_MISMATCH'
  | 'TOKEN_UNKNOWN_KEY'
  | 'TOKEN_NOT_ACTIVE'
  | 'SESSION_NOT_ACTIVE';

const quote = (value: string): string => value.replace(/["\\]/g, "'").replace(/[\r\n]/g, ' ');

/**
 * A bearer token was refused: 401 with an RFC 6750 challenge. A request without any token gets
 * a challenge without an error code (RFC 6750 §3.1); every other refusal says invalid_token.
 */
export class TokenRejectedError extends ProblemError {
  constructor(
    code: TokenErrorCode,
    detail: string,
    options: { hint?: string; cause?: unknown; upstream?: UpstreamInfo } = {},
  ) {
    const challenge =
      code === 'TOKEN_MISSING'
        ? 'Bearer realm="keycloak-bff"'
        : `Bearer realm="keycloak-bff", error="invalid_token", error_description="${quote(detail)}"`;
    super({
      status: 401,
      code,
      title: 'Access token rejected',
      detail,
      hint: options.hint,
      upstream: options.upstream,
      headers: { 'WWW-Authenticate': challenge },
      cause: options.cause,
    });
  }
}

export class JwksUnavailableError extends ProblemError {
  constructor(detail: string, cause?: unknown) {
    super({
      status: 503,
      code: AuthErrorCode.JWKS_UNAVAILABLE,
      title: "The realm's signing keys are unavailable",
      detail,
      hint: 'Tokens cannot be verified until the realm JWKS (certs endpoint) can be fetched; a WAF refusing requests, a wrong KEYCLOAK_URL or Keycloak being down are the usual causes.',
      cause,
    });
  }
}

export class ForbiddenRoleError extends ProblemError {
  constructor(required: string[]) {
    super({
      status: 403,
      code: AuthErrorCode.FORBIDDEN_ROLE,
      title: 'Missing role',
      detail: `This endpoint requires one of the roles: ${required.join(', ')}`,
      hint: 'Realm roles are named plainly (admin), client roles as client:role (orders-api:orders:read).',
      extensions: { requiredRoles: required },
    });
  }
}

import type { UpstreamInfo } from '../common/errors/problem.error';
import { KeycloakError, type KeycloakErrorCode } from './keycloak.errors';

/** The codes of a refused bearer token: the TOKEN_* checks, and a session Keycloak ended. */
export type TokenErrorCode = Extract<KeycloakErrorCode, `TOKEN_${string}` | 'SESSION_NOT_ACTIVE'>;

/** Longer challenges break proxies with small header buffers; the body has the full detail. */
const MAX_DESCRIPTION = 200;

/**
 * The detail as an RFC 7230 quoted-string's content: printable ASCII only. A token's kid, iss
 * or alg lands in the detail; a control or non-Latin-1 character in a header makes Node throw
 * (ERR_INVALID_CHAR, a 500), and no attacker-chosen byte should reach a header anyway.
 */
function quote(value: string): string {
  const printable = value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return printable.length > MAX_DESCRIPTION
    ? `${printable.slice(0, MAX_DESCRIPTION - 3)}...`
    : printable;
}

/**
 * A bearer token was refused: 401 with an RFC 6750 challenge. A request without any token gets
 * a challenge without an error code (RFC 6750 §3.1); every other refusal says invalid_token.
 */
export class TokenRejectedError extends KeycloakError {
  constructor(
    code: TokenErrorCode,
    detail: string,
    options: { hint?: string; cause?: unknown; upstream?: UpstreamInfo } = {},
  ) {
    const challenge =
      code === 'TOKEN_MISSING'
        ? 'Bearer realm="keycloak-bff"'
        : `Bearer realm="keycloak-bff", error="invalid_token", error_description="${quote(detail)}"`;
    super(code, detail, { ...options, headers: { 'WWW-Authenticate': challenge } });
  }
}

export class JwksUnavailableError extends KeycloakError {
  constructor(detail: string, cause?: unknown) {
    super('JWKS_UNAVAILABLE', detail, {
      hint: 'Tokens cannot be verified until the realm JWKS (certs endpoint) can be fetched; a WAF refusing requests, a wrong KEYCLOAK_URL or Keycloak being down are the usual causes.',
      cause,
    });
  }
}

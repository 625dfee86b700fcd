import { isAxiosError, type AxiosError } from 'axios';
import {
  errorClass,
  errorTable,
  type ProblemOptions,
  type UpstreamInfo,
} from '../common/errors/problem.error';

/**
 * Codes of the Keycloak layer: Keycloak unreachable or answering oddly, its refusals at the
 * token, userinfo and Admin endpoints, and the checks on the tokens it signs (TOKEN_*).
 * docs/errors.md lists each with its meaning.
 */
export const KEYCLOAK_ERRORS = errorTable({
  IDP_UNAVAILABLE: [503, 'Identity provider unavailable'],
  IDP_TIMEOUT: [504, 'Identity provider timeout'],
  IDP_ERROR: [502, 'Unexpected answer from the identity provider'],
  REALM_NOT_FOUND: [502, 'Realm not found'],
  BFF_CLIENT_MISCONFIGURED: [502, 'The BFF is misconfigured at Keycloak'],
  ADMIN_PERMISSION_MISSING: [502, "The BFF's service account lacks admin permissions"],
  USER_NOT_FOUND: [404, 'User not found'],
  INVALID_CREDENTIALS: [401, 'Invalid credentials'],
  ACCOUNT_DISABLED: [403, 'Account disabled'],
  ACCOUNT_NOT_FULLY_SET_UP: [403, 'Account not fully set up'],
  INVALID_REFRESH_TOKEN: [401, 'Invalid refresh token'],
  INVALID_SCOPE: [400, 'Invalid scope'],
  MISSING_OPENID_SCOPE: [403, 'Token lacks the openid scope'],
  SESSION_NOT_ACTIVE: [401, 'Access token rejected'],
  TOKEN_MISSING: [401, 'Access token rejected'],
  TOKEN_MALFORMED: [401, 'Access token rejected'],
  TOKEN_EXPIRED: [401, 'Access token rejected'],
  TOKEN_NOT_YET_VALID: [401, 'Access token rejected'],
  TOKEN_SIGNATURE_INVALID: [401, 'Access token rejected'],
  TOKEN_ALGORITHM_NOT_ALLOWED: [401, 'Access token rejected'],
  TOKEN_ISSUER_MISMATCH: [401, 'Access token rejected'],
  TOKEN_AUDIENCE_MISMATCH: [401, 'Access token rejected'],
  TOKEN_UNKNOWN_KEY: [401, 'Access token rejected'],
  TOKEN_NOT_ACTIVE: [401, 'Access token rejected'],
  TOKEN_INACTIVE: [401, 'Access token rejected'],
  JWKS_UNAVAILABLE: [503, "The realm's signing keys are unavailable"],
});

export type KeycloakErrorCode = keyof typeof KEYCLOAK_ERRORS;

/** Every error of the Keycloak layer: the status and title follow from the code. */
export class KeycloakError extends errorClass(KEYCLOAK_ERRORS) {}

/** Which Keycloak endpoint a call went to: names it in messages and logs. */
export type KeycloakEndpoint =
  | 'discovery'
  | 'authorization'
  | 'token'
  | 'userinfo'
  | 'logout'
  | 'revoke'
  | 'introspect'
  | 'jwks'
  | 'admin';

export class IdpUnavailableError extends KeycloakError {
  constructor(endpoint: KeycloakEndpoint, reason: string, cause?: unknown) {
    super('IDP_UNAVAILABLE', `Keycloak could not be reached (${endpoint} endpoint): ${reason}`, {
      hint: 'Check that Keycloak is running and that KEYCLOAK_URL points to it from the BFF host.',
      cause,
    });
  }
}

export class IdpTimeoutError extends KeycloakError {
  constructor(endpoint: KeycloakEndpoint, timeoutMs: number | undefined, cause?: unknown) {
    super(
      'IDP_TIMEOUT',
      `Keycloak did not answer the ${endpoint} request${timeoutMs ? ` within ${timeoutMs} ms` : ' in time'}`,
      {
        hint: 'Keycloak is overloaded or a network hop is dropping packets; KEYCLOAK_HTTP_TIMEOUT_MS sets the limit.',
        cause,
      },
    );
  }
}

/**
 * Keycloak answered with an error status. Feature code narrows this further by `upstream.error`
 * (e.g. invalid_grant → INVALID_CREDENTIALS); unmapped, it is a 502: the caller did nothing wrong.
 */
export class KeycloakResponseError extends KeycloakError {
  readonly wwwAuthenticate?: string;
  /** Legacy token exchange's `account-link-url` on a `not_linked` answer (a browser URL, no secret). */
  accountLinkUrl?: string;

  constructor(
    readonly endpoint: KeycloakEndpoint,
    upstream: UpstreamInfo & { status: number },
    wwwAuthenticate: string | undefined,
    cause?: unknown,
  ) {
    const what = [upstream.error, upstream.error_description].filter(Boolean).join(': ');
    super(
      'IDP_ERROR',
      `Keycloak's ${endpoint} endpoint answered ${upstream.status}${what ? ` (${what})` : ''}`,
      { upstream, cause },
    );
    this.wwwAuthenticate = wwwAuthenticate;
  }
}

/**
 * Keycloak answered with a success status, but not with what the call answers: a WAF or
 * maintenance page, truncated JSON, a body of another type, or a success status other than the
 * one that means success (logout's 204). A 502, never our success: the detail names the
 * operation and what was wrong, never the body (it may hold tokens).
 */
export class IdpAnswerInvalidError extends KeycloakError {
  constructor(
    readonly endpoint: KeycloakEndpoint,
    readonly operation: string,
    status: number,
    problem: string,
  ) {
    super(
      'IDP_ERROR',
      `Unusable answer from Keycloak to the ${operation} (${endpoint} endpoint, HTTP ${status}): ${problem}`,
      {
        hint: 'Something other than Keycloak answers in its place (a proxy, WAF or maintenance page), or Keycloak is not a version the BFF supports; check what KEYCLOAK_URL serves.',
        upstream: { status },
      },
    );
  }
}

/** What our answer to a Keycloak refusal keeps of it: Keycloak's words (`upstream`) and the cause. */
export function keptFrom(e: KeycloakResponseError): Pick<ProblemOptions, 'upstream' | 'cause'> {
  return { upstream: e.upstream, cause: e };
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const TIMED_OUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);

/**
 * Keeps what explains the failure and drops the request config: an axios error carries the
 * request body (client_secret, password, tokens), which must never reach a log.
 */
function safeCause(err: AxiosError): Error {
  const method = (err.config?.method ?? 'get').toUpperCase();
  const url = (err.config?.url ?? '').split('?', 1)[0] ?? '';
  const outcome = err.response ? `HTTP ${err.response.status}` : (err.code ?? err.message);
  const cause = new Error(`${method} ${url} failed: ${outcome}`);
  Object.assign(cause, { code: err.code, status: err.response?.status });
  return cause;
}

function upstreamFrom(status: number, data: unknown): UpstreamInfo & { status: number } {
  const upstream: UpstreamInfo & { status: number } = { status };
  if (data !== null && typeof data === 'object') {
    const { error, error_description, errorMessage } = data as Record<string, unknown>;
    if (typeof error === 'string') {
      upstream.error = error;
    }
    // The Admin API says `errorMessage` where the OAuth endpoints say `error_description`.
    const description = error_description ?? errorMessage;
    if (typeof description === 'string') {
      upstream.error_description = description;
    }
  }
  return upstream;
}

function accountLinkUrlOf(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') {
    return undefined;
  }
  const url = (data as Record<string, unknown>)['account-link-url'];
  return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined;
}

/** RFC 6750 `WWW-Authenticate: Bearer error="insufficient_scope", ...` → its parameters. */
export function parseWwwAuthenticate(header: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  if (!header) {
    return params;
  }
  for (const match of header.matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
    const [, key, value] = match;
    if (key !== undefined && value !== undefined) {
      params[key] = value;
    }
  }
  return params;
}

/**
 * The one place that turns a failed call to Keycloak into our errors. Anything that is not an
 * axios error is a bug on our side and is returned unchanged for the filter's INTERNAL.
 */
export function narrowKeycloakError(err: unknown, endpoint: KeycloakEndpoint): unknown {
  if (!isAxiosError(err)) {
    return err;
  }
  const cause = safeCause(err);
  if (err.response) {
    const header = err.response.headers['www-authenticate'] as unknown;
    const wwwAuthenticate = typeof header === 'string' ? header : undefined;
    const upstream = upstreamFrom(err.response.status, err.response.data);
    // A bearer error without a body (userinfo does this) still names its cause in the header.
    if (upstream.error === undefined && wwwAuthenticate) {
      const params = parseWwwAuthenticate(wwwAuthenticate);
      upstream.error = params.error;
      upstream.error_description = params.error_description;
    }
    const error = new KeycloakResponseError(endpoint, upstream, wwwAuthenticate, cause);
    error.accountLinkUrl = accountLinkUrlOf(err.response.data);
    return error;
  }
  const code = err.code ?? '';
  if (TIMED_OUT.has(code)) {
    return new IdpTimeoutError(endpoint, err.config?.timeout, cause);
  }
  if (UNREACHABLE.has(code)) {
    return new IdpUnavailableError(
      endpoint,
      `${code} ${err.config?.url?.split('?', 1)[0] ?? ''}`.trim(),
      cause,
    );
  }
  // No response and no known code: still Keycloak's side of the wire, not a bug of ours.
  return new IdpUnavailableError(endpoint, err.message, cause);
}

import { isAxiosError, type AxiosError } from 'axios';
import { ErrorCode } from '../common/errors/error-codes';
import { ProblemError, type UpstreamInfo } from '../common/errors/problem.error';

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

export class IdpUnavailableError extends ProblemError {
  constructor(endpoint: KeycloakEndpoint, reason: string, cause?: unknown) {
    super({
      status: 503,
      code: ErrorCode.IDP_UNAVAILABLE,
      title: 'Identity provider unavailable',
      detail: `Keycloak could not be reached (${endpoint} endpoint): ${reason}`,
      hint: 'Check that Keycloak is running and that KEYCLOAK_URL points to it from the BFF host.',
      cause,
    });
  }
}

export class IdpTimeoutError extends ProblemError {
  constructor(endpoint: KeycloakEndpoint, timeoutMs: number | undefined, cause?: unknown) {
    super({
      status: 504,
      code: ErrorCode.IDP_TIMEOUT,
      title: 'Identity provider timeout',
      detail: `Keycloak did not answer the ${endpoint} request${timeoutMs ? ` within ${timeoutMs} ms` : ' in time'}`,
      hint: 'Keycloak is overloaded or a network hop is dropping packets; KEYCLOAK_HTTP_TIMEOUT_MS sets the limit.',
      cause,
    });
  }
}

/**
 * Keycloak answered with an error status. Feature code narrows this further by `upstream.error`
 * (e.g. invalid_grant → INVALID_CREDENTIALS); unmapped, it is a 502: the caller did nothing wrong.
 */
export class KeycloakResponseError extends ProblemError {
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
    super({
      status: 502,
      code: ErrorCode.IDP_ERROR,
      title: 'Unexpected answer from the identity provider',
      detail: `Keycloak's ${endpoint} endpoint answered ${upstream.status}${what ? ` (${what})` : ''}`,
      upstream,
      cause,
    });
    this.wwwAuthenticate = wwwAuthenticate;
  }
}

/** Our answer to a Keycloak refusal, keeping Keycloak's words (`upstream`) and the cause. */
export function keycloakProblem(
  e: KeycloakResponseError,
  status: number,
  code: string,
  title: string,
  detail: string,
  hint?: string,
  extensions?: Record<string, unknown>,
): ProblemError {
  return new ProblemError({
    status,
    code,
    title,
    detail,
    hint,
    extensions,
    upstream: e.upstream,
    cause: e,
  });
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

import { ProblemError, type UpstreamInfo } from '../common/errors/problem.error';

/** Codes of the cookie-session mode; docs/errors.md lists each with its meaning. */
export const SessionErrorCode = {
  SESSION_MODE_DISABLED: 'SESSION_MODE_DISABLED',
  INVALID_RETURN_TO: 'INVALID_RETURN_TO',
  LOGIN_TRANSACTION_MISSING: 'LOGIN_TRANSACTION_MISSING',
  LOGIN_STATE_MISMATCH: 'LOGIN_STATE_MISMATCH',
  LOGIN_DENIED: 'LOGIN_DENIED',
  LOGIN_FAILED: 'LOGIN_FAILED',
  LOGIN_RETRY_FAILED: 'LOGIN_RETRY_FAILED',
  AUTHORIZATION_CODE_INVALID: 'AUTHORIZATION_CODE_INVALID',
  ID_TOKEN_INVALID: 'ID_TOKEN_INVALID',
  NONCE_MISMATCH: 'NONCE_MISMATCH',
  ACCESS_TOKEN_INVALID: 'ACCESS_TOKEN_INVALID',
  SESSION_MISSING: 'SESSION_MISSING',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  SESSION_REFRESH_FAILED: 'SESSION_REFRESH_FAILED',
  SESSION_REFRESH_BUSY: 'SESSION_REFRESH_BUSY',
  CSRF_HEADER_MISSING: 'CSRF_HEADER_MISSING',
  LOGOUT_TOKEN_INVALID: 'LOGOUT_TOKEN_INVALID',
  SESSION_STORE_UNAVAILABLE: 'SESSION_STORE_UNAVAILABLE',
} as const;

export type SessionErrorCode = (typeof SessionErrorCode)[keyof typeof SessionErrorCode];

interface Options {
  hint?: string;
  cause?: unknown;
  upstream?: UpstreamInfo;
  headers?: Record<string, string>;
}

const TITLES: Record<SessionErrorCode, [status: number, title: string]> = {
  SESSION_MODE_DISABLED: [404, 'Cookie-session mode is off'],
  INVALID_RETURN_TO: [400, 'returnTo is not allowed'],
  LOGIN_TRANSACTION_MISSING: [400, 'No pending login'],
  LOGIN_STATE_MISMATCH: [400, 'Login state mismatch'],
  LOGIN_DENIED: [403, 'Login denied'],
  LOGIN_FAILED: [400, 'Login failed'],
  LOGIN_RETRY_FAILED: [503, 'Login could not be completed'],
  AUTHORIZATION_CODE_INVALID: [400, 'Authorization code refused'],
  ID_TOKEN_INVALID: [502, 'ID token rejected'],
  NONCE_MISMATCH: [400, 'ID token nonce mismatch'],
  ACCESS_TOKEN_INVALID: [502, 'Access token from Keycloak rejected'],
  SESSION_MISSING: [401, 'No session'],
  SESSION_EXPIRED: [401, 'Session expired'],
  SESSION_REFRESH_FAILED: [502, 'Session refresh failed'],
  SESSION_REFRESH_BUSY: [503, 'Session refresh in progress'],
  CSRF_HEADER_MISSING: [403, 'CSRF header missing'],
  LOGOUT_TOKEN_INVALID: [400, 'Logout token rejected'],
  SESSION_STORE_UNAVAILABLE: [503, 'Session store unavailable'],
};

/** Every refusal of the session mode: one class, the status and title follow from the code. */
export class SessionError extends ProblemError {
  constructor(code: SessionErrorCode, detail: string, options: Options = {}) {
    const [status, title] = TITLES[code];
    super({ status, code, title, detail, ...options });
  }
}

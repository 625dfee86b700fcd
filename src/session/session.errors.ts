import { errorClass, errorTable } from '../common/errors/problem.error';

/** Codes of the cookie-session mode; docs/errors.md lists each with its meaning. */
export const SESSION_ERRORS = errorTable({
  SESSION_MODE_DISABLED: [404, 'Cookie-session mode is off'],
  INVALID_RETURN_TO: [400, 'returnTo is not allowed'],
  LOGIN_TRANSACTION_MISSING: [400, 'No pending login'],
  LOGIN_STATE_MISMATCH: [400, 'Login state mismatch'],
  LOGIN_DENIED: [403, 'Login denied'],
  LOGIN_FAILED: [400, 'Login failed'],
  LOGIN_RETRY_FAILED: [503, 'Login could not be completed'],
  REDIRECT_URI_NOT_REGISTERED: [502, 'Redirect URI not registered at Keycloak'],
  AUTHORIZATION_CODE_INVALID: [400, 'Authorization code refused'],
  ID_TOKEN_INVALID: [502, 'ID token rejected'],
  NONCE_MISMATCH: [400, 'ID token nonce mismatch'],
  ACCESS_TOKEN_INVALID: [502, 'Access token from Keycloak rejected'],
  ACCESS_TOKEN_SUB_MISSING: [502, 'Access token from Keycloak has no sub'],
  SESSION_MISSING: [401, 'No session'],
  SESSION_EXPIRED: [401, 'Session expired'],
  SESSION_REFRESH_FAILED: [502, 'Session refresh failed'],
  SESSION_REFRESH_BUSY: [503, 'Session refresh in progress'],
  CSRF_HEADER_MISSING: [403, 'CSRF header missing'],
  LOGOUT_TOKEN_INVALID: [400, 'Logout token rejected'],
  SESSION_STORE_UNAVAILABLE: [503, 'Session store unavailable'],
});

export type SessionErrorCode = keyof typeof SESSION_ERRORS;

/** Every refusal of the session mode: one class, the status and title follow from the code. */
export class SessionError extends errorClass(SESSION_ERRORS) {}

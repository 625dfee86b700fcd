import { AUTH_ERRORS } from '../auth/auth.errors';
import { HTTP_ERRORS } from '../common/errors/http-errors';
import { type ErrorTable, problemType } from '../common/errors/problem.error';
import { KEYCLOAK_ERRORS } from '../keycloak/keycloak.errors';
import { PROXY_ERRORS } from '../proxy/proxy.errors';
import { SESSION_ERRORS } from '../session/session.errors';
import { TOKEN_EXCHANGE_ERRORS } from '../token-exchange/token-exchange.errors';

/**
 * Every error table of the app, the source of the OpenAPI document's problem schemas. The
 * registry test (src/common/errors/error-registry.spec.ts) finds the tables by file name and
 * checks this list holds each of them, so a new module's codes cannot miss the document.
 */
export const ERROR_TABLES: Readonly<Record<string, ErrorTable>> = {
  AUTH_ERRORS,
  HTTP_ERRORS,
  KEYCLOAK_ERRORS,
  PROXY_ERRORS,
  SESSION_ERRORS,
  TOKEN_EXCHANGE_ERRORS,
};

export interface CatalogEntry {
  code: string;
  status: number;
  title: string;
  /** A body as the filter writes it, for the document's examples. */
  example: Record<string, unknown>;
  /** Extension members (RFC 9457 §3.2) this code always carries. */
  required: string[];
}

/** Details and extension members the BFF really writes for a code (from its throw sites). */
const SAMPLES: Record<string, { detail: string; hint?: string } & Record<string, unknown>> = {
  VALIDATION_FAILED: {
    detail: 'max: max must not be greater than 100',
    errors: [{ field: 'max', message: 'max must not be greater than 100' }],
  },
  BAD_REQUEST: { detail: "Body is not valid JSON but content-type is set to 'application/json'" },
  NOT_FOUND: { detail: 'Cannot GET /nope' },
  METHOD_NOT_ALLOWED: { detail: 'Cannot DELETE /auth/login' },
  PAYLOAD_TOO_LARGE: { detail: 'Request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { detail: "Unsupported Media Type: 'text/plain'" },
  INTERNAL: { detail: 'An unexpected error occurred. Quote the requestId when reporting it.' },
  SHUTTING_DOWN: { detail: 'The server is shutting down', hint: 'Retry on another instance.' },
  FORBIDDEN_ROLE: {
    detail: 'This endpoint requires one of the roles: admin',
    hint: 'Realm roles are named plainly (admin), client roles as client:role (orders-api:orders:read).',
    requiredRoles: ['admin'],
  },
  RATE_LIMITED: {
    detail: 'Too many login attempts for this username; try again in 60 s',
    retryAfterSeconds: 60,
  },
  IDP_UNAVAILABLE: {
    detail: 'Keycloak could not be reached: connect ECONNREFUSED 127.0.0.1:8080',
    hint: 'Check KEYCLOAK_URL and that Keycloak is running.',
  },
  IDP_TIMEOUT: { detail: 'Keycloak did not answer within 5000 ms' },
  USER_NOT_FOUND: { detail: 'No user with id 00000000-0000-4000-8000-000000000000' },
  INVALID_CREDENTIALS: {
    detail: 'Keycloak refused the username or password',
    upstream: {
      status: 401,
      error: 'invalid_grant',
      error_description: 'Invalid user credentials',
    },
  },
  TOKEN_MISSING: {
    detail: 'No bearer token was sent',
    hint: 'Send Authorization: Bearer <access token>.',
  },
  TOKEN_EXPIRED: {
    detail: 'The access token has expired',
    hint: 'Refresh it (POST /auth/refresh).',
  },
  SESSION_MISSING: {
    detail: 'No session cookie was sent',
    hint: 'Log in through GET /auth/login.',
  },
  SESSION_EXPIRED: {
    detail: 'The session has ended (logout, timeout, or Keycloak ended it)',
    hint: 'Log in again (GET /auth/login).',
  },
  CSRF_HEADER_MISSING: {
    detail: 'POST with a session cookie needs the x-csrf header',
    hint: "Send 'x-csrf: 1' on every non-GET request from the SPA.",
  },
  TOKEN_EXCHANGE_FORBIDDEN: {
    detail: 'An exchange without audience would return a token for every client the user can reach',
    hint: 'Name the client the token is for in audience (one of orders-api).',
    rule: 'audience-required',
  },
  SESSION_MODE_DISABLED: {
    detail: 'Cookie-session mode is off',
    hint: 'Set SESSION_ENABLED=true (and Redis) to use the /auth/login browser flow.',
  },
};

/** Every code of every table, with an example body each. */
export function problemCatalog(): CatalogEntry[] {
  return Object.values(ERROR_TABLES).flatMap((table) =>
    Object.entries(table).map(([code, [status, title]]) => {
      const { detail, hint, ...extensions } = SAMPLES[code] ?? { detail: `${title}.` };
      return {
        code,
        status,
        title,
        required: Object.keys(extensions).filter((k) => k !== 'upstream'),
        example: {
          type: problemType(code),
          title,
          status,
          detail,
          code,
          ...(hint === undefined ? {} : { hint }),
          ...extensions,
          requestId: '5f0c6f3e-8d4e-4b8e-9d55-0a4c1e2b7c11',
          instance: '/auth/session',
        },
      };
    }),
  );
}

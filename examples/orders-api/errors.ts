import { type Access, PERMISSIONS } from './permissions';

/**
 * orders-api's own error bodies: `{ error, error_description, status }` in the style of RFC 6750
 * §3.1, deliberately unlike the BFF's problem+json, so a proxy test can tell whose error reached
 * the browser.
 */
export interface ErrorBody {
  error: string;
  error_description: string;
  status: number;
  [extra: string]: unknown;
}

/** An error that becomes a JSON answer with its own status; anything else becomes a bare 500. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly options: {
      /** The `WWW-Authenticate` challenge (401, and 403 insufficient_scope). */
      challenge?: string;
      /** More members of the body. */
      extra?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(description, { cause: options.cause });
    this.name = ApiError.name;
  }

  body(): ErrorBody {
    return {
      error: this.error,
      error_description: this.description,
      status: this.status,
      ...this.options.extra,
    };
  }
}

// RFC 6750 §3: the challenge's quoted strings hold printable ASCII other than `"` and `\`.
const quoted = (value: string): string => `"${value.replace(/[^\x20-\x7e]|["\\]/g, '?')}"`;

/** RFC 6750 §3.1: no credentials at all gets a challenge without an error code. */
export function missingToken(realm: string): ApiError {
  return new ApiError(401, 'missing_token', 'A bearer token is required', {
    challenge: `Bearer realm=${quoted(realm)}`,
  });
}

export function invalidToken(
  realm: string,
  description: string,
  options: { cause?: unknown; extra?: Record<string, unknown> } = {},
): ApiError {
  return new ApiError(401, 'invalid_token', description, {
    ...options,
    challenge: `Bearer realm=${quoted(realm)}, error="invalid_token", error_description=${quoted(description)}`,
  });
}

export function insufficientScope(realm: string, clientId: string, access: Access): ApiError {
  const permission = PERMISSIONS[access];
  const description = `The token grants neither the scope nor the ${clientId} client role '${permission}'`;
  return new ApiError(403, 'insufficient_scope', description, {
    challenge: `Bearer realm=${quoted(realm)}, error="insufficient_scope", scope=${quoted(permission)}`,
    extra: { required: permission },
  });
}

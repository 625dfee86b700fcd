/**
 * What Keycloak told us, copied into the problem body so a caller can see the upstream
 * cause without our logs. Never contains request data (tokens, secrets).
 */
export interface UpstreamInfo {
  status?: number;
  error?: string;
  error_description?: string;
}

export interface ProblemInit {
  status: number;
  code: string;
  title: string;
  detail: string;
  hint?: string;
  upstream?: UpstreamInfo;
  /** Extra members of the problem body (RFC 9457 §3.2), e.g. `errors` or `checks`. */
  extensions?: Record<string, unknown>;
  /** Response headers that belong to this error, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The one error type the global filter knows how to render as `application/problem+json`.
 * Everything we throw on purpose is a ProblemError; anything else becomes a bare 500.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly hint?: string;
  readonly upstream?: UpstreamInfo;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.hint = init.hint;
    this.upstream = init.upstream;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
  }
}

/** Turns `IDP_UNAVAILABLE` into the problem `type` URI `urn:keycloak-bff:problem:idp-unavailable`. */
export function problemType(code: string): string {
  return `urn:keycloak-bff:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

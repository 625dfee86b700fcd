/**
 * What Keycloak told us, copied into the problem body so a caller can see the upstream
 * cause without our logs. Never contains request data (tokens, secrets).
 */
export interface UpstreamInfo {
  status?: number;
  error?: string;
  error_description?: string;
}

/** What a call site adds to a problem; the status and title follow from the code. */
export interface ProblemOptions {
  hint?: string;
  upstream?: UpstreamInfo;
  /** Extra members of the problem body (RFC 9457 §3.2), e.g. `errors` or `checks`. */
  extensions?: Record<string, unknown>;
  /** Response headers that belong to this error, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export interface ProblemInit extends ProblemOptions {
  status: number;
  code: string;
  title: string;
  detail: string;
}

/**
 * A module's error codes: code → [status, title]. One table per module; docs/errors.md lists
 * every code of every table (a unit test holds the two together). The title is the code's, not
 * the occurrence's (RFC 9457 §3.1.4: it does not change from occurrence to occurrence).
 */
export type ErrorTable<C extends string = string> = Readonly<
  Record<C, readonly [status: number, title: string]>
>;

const tables = new WeakSet<object>();

/** Declares a module's table, so the registry test can find it among the module's exports. */
export function errorTable<C extends string>(
  entries: Record<C, readonly [status: number, title: string]>,
): ErrorTable<C> {
  tables.add(entries);
  return Object.freeze(entries);
}

export function isErrorTable(value: unknown): value is ErrorTable {
  return typeof value === 'object' && value !== null && tables.has(value);
}

/**
 * The one error type the global filter knows how to render as `application/problem+json`.
 * Everything we throw on purpose is a ProblemError; anything else becomes a bare 500. Abstract:
 * each module throws its own subclass, which takes a code of the module's table.
 */
export abstract class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly hint?: string;
  readonly upstream?: UpstreamInfo;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  protected constructor(init: ProblemInit) {
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

/**
 * The base of a module's error class: it takes a code of the module's table, and the status and
 * title follow from the code (`class SessionError extends errorClass(SESSION_ERRORS) {}`).
 */
export function errorClass<C extends string>(table: ErrorTable<C>) {
  return class extends ProblemError {
    constructor(code: C, detail: string, options: ProblemOptions = {}) {
      const [status, title] = table[code];
      super({ status, code, title, detail, ...options });
    }
  };
}

/** Turns `IDP_UNAVAILABLE` into the problem `type` URI `urn:keycloak-bff:problem:idp-unavailable`. */
export function problemType(code: string): string {
  return `urn:keycloak-bff:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

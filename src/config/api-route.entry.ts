import 'reflect-metadata';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  Matches,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';

/**
 * How the proxy authenticates a route's upstream call:
 * - `exchange`: the caller's token exchanged at Keycloak for `audience` (and `scope`);
 * - `user`: the caller's own access token, as is;
 * - `client`: the BFF's own client-credentials token;
 * - `user-or-none`: the caller's token (exchanged when `audience` is set) if there is a caller,
 *   no token otherwise;
 * - `none`: no token.
 */
export const TOKEN_POLICIES = ['exchange', 'user', 'client', 'user-or-none', 'none'] as const;
export type TokenPolicy = (typeof TOKEN_POLICIES)[number];

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
const MAX_TIMEOUT_MS = 600_000;
const MAX_BODY_LIMIT_BYTES = 1024 ** 3;

interface ApiRouteBase {
  /** Path prefix on the BFF, e.g. `/api/orders`; matches itself and paths below it. */
  readonly prefix: string;
  /** Base URL of the upstream, without a trailing slash, e.g. `http://orders-api:4000`. */
  readonly target: string;
  /** Roles the caller needs, as `@Roles` takes them (`admin`, `orders-api:orders:read`). */
  readonly roles: readonly string[];
  readonly timeoutMs: number;
  readonly bodyLimitBytes: number;
  /** Drop the prefix from the path sent upstream. */
  readonly stripPrefix: boolean;
  /** Reserved for WebSocket upgrades; nothing forwards them yet. */
  readonly websocket: boolean;
}

/** One validated route of the routes file, as the proxy consumes it. */
export type ApiRoute = ApiRouteBase &
  (
    | { readonly token: 'exchange'; readonly audience: string; readonly scope?: string }
    | { readonly token: 'user-or-none'; readonly audience?: string; readonly scope?: string }
    | { readonly token: 'user' | 'client' | 'none' }
  );

const PREFIX_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** Why a prefix is refused, or undefined when it is usable. */
export function prefixProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  if (!value.startsWith('/')) {
    return 'must start with /';
  }
  if (value === '/') {
    return "must name a path below / (the BFF's own routes live there)";
  }
  if (value.endsWith('/')) {
    return 'must not end with / (a prefix also matches the paths below it)';
  }
  const segments = value.slice(1).split('/');
  if (segments.includes('')) {
    return 'must not contain an empty segment (//)';
  }
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return 'must not contain . or .. segments';
  }
  if (!segments.every((segment) => PREFIX_SEGMENT.test(segment))) {
    return 'may hold only letters, digits and - . _ ~ between its slashes';
  }
  return undefined;
}

/** Why a target is refused, or undefined when it is usable. */
export function targetProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    return 'must be an http(s) URL';
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must be an http(s) URL, not ${url.protocol.slice(0, -1)}`;
  }
  if (url.username !== '' || url.password !== '') {
    return 'must not carry credentials (user:password@): the policy decides what the API gets';
  }
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
    return 'must not have a query or fragment: it is a base URL';
  }
  return undefined;
}

/** `http://api:4000/v1/` → `http://api:4000/v1`: the path sent upstream is appended to it. */
export function normaliseTarget(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function integerProblem(min: number, max: number, unit: string) {
  return (value: unknown): string | undefined =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? undefined
      : `must be a whole number of ${unit} from ${min} to ${max}`;
}

/** A class-validator constraint from a "why is this refused" function, with its reason as message. */
function Problem(name: string, problem: (value: unknown) => string | undefined): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => problem(value) === undefined,
      defaultMessage: (args?: ValidationArguments) => problem(args?.value) ?? '',
    },
  });
}

const CLIENT_ID = /^[\w.:-]{1,255}$/;
// RFC 6749 §3.3: scope tokens are printable ASCII but space, " and \, separated by spaces.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;
// As @Roles takes them: a realm role, or client:role.
const ROLE = /^[\w.:-]{1,255}$/;

/** A valid value of each field, shown with every line about that field. */
export const ROUTE_FIELD_EXAMPLES: Record<keyof ApiRouteEntry, string> = {
  prefix: '"/api/orders"',
  target: '"http://127.0.0.1:4000"',
  token: '"exchange"',
  audience: '"orders-api"',
  scope: '"openid"',
  roles: '["admin"]',
  timeoutMs: String(DEFAULT_TIMEOUT_MS),
  bodyLimitBytes: String(DEFAULT_BODY_LIMIT_BYTES),
  stripPrefix: 'true',
  websocket: 'false',
};

/**
 * One entry of the routes file, field by field, with the defaults of the fields one may leave
 * out. Checks between fields (exchange needs audience, overlapping prefixes, …) are in
 * api-routes.file.ts.
 */
export class ApiRouteEntry {
  @Problem('isRoutePrefix', prefixProblem)
  prefix!: string;

  @Problem('isRouteTarget', targetProblem)
  target!: string;

  @IsIn(TOKEN_POLICIES, { message: `must be one of ${TOKEN_POLICIES.join(', ')}` })
  token: TokenPolicy = 'exchange';

  @IsOptional()
  @Matches(CLIENT_ID, { message: 'must be a client id' })
  audience?: string;

  @IsOptional()
  @Matches(SCOPE, { message: 'must be scope names separated by single spaces' })
  scope?: string;

  @IsOptional()
  @Problem('isRoleList', (value) =>
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((role) => typeof role === 'string' && ROLE.test(role))
      ? undefined
      : 'must be a non-empty array of role names (realm role, or client:role)',
  )
  roles?: string[];

  @Problem('isTimeout', integerProblem(100, MAX_TIMEOUT_MS, 'milliseconds'))
  timeoutMs = DEFAULT_TIMEOUT_MS;

  @Problem('isBodyLimit', integerProblem(0, MAX_BODY_LIMIT_BYTES, 'bytes'))
  bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;

  @IsBoolean({ message: 'must be true or false' })
  stripPrefix = true;

  @IsBoolean({ message: 'must be true or false' })
  websocket = false;
}

/** The fields a route may have, in the order lines about them are reported. */
export const ROUTE_FIELDS = Object.keys(ROUTE_FIELD_EXAMPLES) as (keyof ApiRouteEntry)[];

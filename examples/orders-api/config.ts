/**
 * orders-api's settings, read from environment variables. Self-contained on purpose: this is a
 * downstream API of its own, so it shares no code with the BFF, only the line format of its
 * configuration errors (`NAME is invalid: why (example: NAME=value)`).
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface OrdersApiConfig {
  port: number;
  host: string;
  /** Where the JWKS is fetched (may be an internal address). */
  jwksUri: string;
  /** The `iss` every token must carry. */
  issuer: string;
  /** A value `aud` must contain. */
  audience: string;
  /** Refuse tokens whose `aud` names anything besides `audience` (a token narrowed by exchange). */
  soleAudience: boolean;
  /** The client whose roles in `resource_access` grant permissions. */
  clientId: string;
  /** Reported in `seen.csrf`: the header the BFF's cookie callers send, which must not reach us. */
  csrfHeader: string;
  /** Named in the Set-Cookie lines of `GET /set-cookie`, which a proxy must drop. */
  bffCookieName: string;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

interface Variable<T> {
  example: string;
  /** The parsed value, or why the raw one is refused. */
  parse: (raw: string) => { value: T } | { problem: string };
  /** Used when the variable is unset; without one the variable is required unless optional. */
  fallback?: string;
  /** Unset means "derived from another variable" (see readConfig). */
  optional?: true;
}

const URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const CLIENT_ID = /^[\w.:-]{1,255}$/;

const url =
  (what: string): Variable<string>['parse'] =>
  (raw) =>
    URL_PATTERN.test(raw) && URL.canParse(raw)
      ? { value: raw.replace(/\/+$/, '') }
      : { problem: `must be an http(s) URL ${what}` };

const integer =
  (min: number, max: number, what: string): Variable<number>['parse'] =>
  (raw) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    return n >= min && n <= max
      ? { value: n }
      : { problem: `must be ${what} from ${min} to ${max}` };
  };

const matching =
  (pattern: RegExp, what: string): Variable<string>['parse'] =>
  (raw) =>
    pattern.test(raw) ? { value: raw } : { problem: `must be ${what}` };

const boolean: Variable<boolean>['parse'] = (raw) =>
  raw === 'true' || raw === 'false'
    ? { value: raw === 'true' }
    : { problem: 'must be true or false' };

const isLogLevel = (raw: string): raw is LogLevel =>
  (LOG_LEVELS as readonly string[]).includes(raw);

const VARIABLES = {
  PORT: { example: '4000', parse: integer(1, 65535, 'a port number'), fallback: '4000' },
  // Loopback by default: this API trusts whatever the BFF forwards and has test modes; in a
  // container set HOST=0.0.0.0.
  HOST: {
    example: '127.0.0.1',
    parse: matching(/^[\w.:-]+$/, 'a host name or address to bind'),
    fallback: '127.0.0.1',
  },
  KEYCLOAK_URL: { example: 'http://127.0.0.1:8080', parse: url('of the Keycloak server') },
  KEYCLOAK_PUBLIC_URL: {
    example: 'https://sso.example.com',
    parse: url('that appears in token issuers'),
    optional: true,
  },
  KEYCLOAK_REALM: {
    example: 'demo',
    parse: matching(/^[A-Za-z0-9._-]+$/, 'a realm name (letters, digits, . _ -)'),
  },
  ORDERS_API_AUDIENCE: {
    example: 'orders-api',
    parse: matching(CLIENT_ID, 'a client id'),
    fallback: 'orders-api',
  },
  ORDERS_API_SOLE_AUDIENCE: { example: 'false', parse: boolean, fallback: 'false' },
  ORDERS_API_CLIENT_ID: {
    example: 'orders-api',
    parse: matching(CLIENT_ID, 'a client id'),
    optional: true,
  },
  ORDERS_API_CSRF_HEADER: {
    example: 'x-csrf',
    parse: matching(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name'),
    fallback: 'x-csrf',
  },
  ORDERS_API_BFF_COOKIE_NAME: {
    example: '__Host-bff-session',
    parse: matching(/^[A-Za-z0-9_-]{1,64}$/, 'a cookie name (letters, digits, _ -)'),
    fallback: '__Host-bff-session',
  },
  LOG_LEVEL: {
    example: 'info',
    parse: (raw: string) =>
      isLogLevel(raw) ? { value: raw } : { problem: `must be one of ${LOG_LEVELS.join(', ')}` },
    fallback: 'info',
  },
  SHUTDOWN_TIMEOUT_MS: {
    example: '10000',
    parse: integer(0, 300_000, 'a number of milliseconds'),
    fallback: '10000',
  },
} satisfies Record<string, Variable<unknown>>;

type Variables = typeof VARIABLES;
type Parsed<K extends keyof Variables> =
  ReturnType<Variables[K]['parse']> extends infer R
    ? R extends { value: infer V }
      ? V
      : never
    : never;
type Values = {
  [K in keyof Variables]: Variables[K] extends { optional: true }
    ? Parsed<K> | undefined
    : Parsed<K>;
};

// `FOO=` in an env file must not defeat a default.
function nonEmpty(raw: string | undefined): string | undefined {
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Every variable checked at once, so an operator fixes them in one go: one line per bad one. */
export function readConfig(
  env: NodeJS.ProcessEnv,
): { config: OrdersApiConfig; errors?: never } | { config?: never; errors: string[] } {
  const errors: string[] = [];
  const values: Partial<Record<string, unknown>> = {};
  for (const [name, variable] of Object.entries(VARIABLES) as [string, Variable<unknown>][]) {
    const suffix = ` (example: ${name}=${variable.example})`;
    const raw = nonEmpty(env[name]) ?? variable.fallback;
    if (raw === undefined) {
      if (!variable.optional) {
        errors.push(`${name} is required${suffix}`);
      }
      continue;
    }
    const parsed = variable.parse(raw);
    if ('problem' in parsed) {
      errors.push(`${name} is invalid: ${parsed.problem}${suffix}`);
    } else {
      values[name] = parsed.value;
    }
  }
  if (errors.length > 0) {
    return { errors };
  }
  const v = values as Values;
  const realm = encodeURIComponent(v.KEYCLOAK_REALM);
  return {
    config: {
      port: v.PORT,
      host: v.HOST,
      jwksUri: `${v.KEYCLOAK_URL}/realms/${realm}/protocol/openid-connect/certs`,
      issuer: `${v.KEYCLOAK_PUBLIC_URL ?? v.KEYCLOAK_URL}/realms/${realm}`,
      audience: v.ORDERS_API_AUDIENCE,
      soleAudience: v.ORDERS_API_SOLE_AUDIENCE,
      clientId: v.ORDERS_API_CLIENT_ID ?? v.ORDERS_API_AUDIENCE,
      csrfHeader: v.ORDERS_API_CSRF_HEADER.toLowerCase(),
      bffCookieName: v.ORDERS_API_BFF_COOKIE_NAME,
      logLevel: v.LOG_LEVEL,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    },
  };
}

import type { FastifyRequest } from 'fastify';
import { type Caller, rawHeaderValues } from './caller';
import { clientRoles } from './permissions';
import { audiencesOf } from './token-verifier';

/** Headers a proxy adds, reported with their values (none of them is a secret). */
export const FORWARDED_HEADERS = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-request-id',
  'traceparent',
] as const;

/**
 * What orders-api received, so a test on the far side of a proxy can check what the proxy sent.
 * Secrets are reported as presence only: a cookie or a CSRF header that leaked through is
 * `true`, never echoed.
 */
export interface Seen {
  method: string;
  /** Path and query string as received. */
  url: string;
  /** A valid bearer token came. */
  token: boolean;
  sub: string | null;
  preferred_username: string | null;
  /** Always a list, whether the token had a string or an array. */
  aud: string[];
  azp: string | null;
  scope: string | null;
  /** The token's `iat` and `exp` (epoch seconds): how long it lives, and whether it is the same one. */
  iat: number | null;
  exp: number | null;
  /** The token's client roles on orders-api's client. */
  roles: string[];
  /** Any Cookie header. */
  cookie: boolean;
  /** The configured CSRF header (`x-csrf`). */
  csrf: boolean;
  /** Any Authorization header other than the bearer token that was verified. */
  otherAuthorization: boolean;
  headers: Record<(typeof FORWARDED_HEADERS)[number], string | null>;
  /** Every header name received, lower-case and sorted (hop-by-hop ones show up here). */
  headerNames: string[];
  /** Which attempt this was, when the request carried the refuse header. */
  attempt?: number;
}

export interface SeenOptions {
  csrfHeader: string;
  /** Whose client roles to report. */
  clientId: string;
}

export function describeRequest(
  request: FastifyRequest,
  caller: Caller | undefined,
  options: SeenOptions,
): Seen {
  const claims = caller?.claims;
  const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);
  const header = (name: string): string | null => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? null);
  };
  const names = new Set<string>();
  for (let i = 0; i < request.raw.rawHeaders.length; i += 2) {
    names.add((request.raw.rawHeaders[i] ?? '').toLowerCase());
  }
  const authorizations = rawHeaderValues(request, 'authorization');
  return {
    method: request.method,
    url: request.url,
    token: caller !== undefined,
    sub: str(claims?.sub),
    preferred_username: str(claims?.preferred_username),
    aud: claims ? audiencesOf(claims) : [],
    azp: str(claims?.azp),
    scope: str(claims?.scope),
    iat: num(claims?.iat),
    exp: num(claims?.exp),
    roles: claims ? clientRoles(claims, options.clientId) : [],
    cookie: names.has('cookie'),
    csrf: names.has(options.csrfHeader),
    // The verified token's own header is `Bearer <token>`; anything else is another credential.
    otherAuthorization: authorizations.some(
      (value) => caller === undefined || !value.endsWith(` ${caller.token}`),
    ),
    headers: Object.fromEntries(
      FORWARDED_HEADERS.map((name) => [name, header(name)]),
    ) as Seen['headers'],
    headerNames: [...names].sort(),
    ...(caller?.refusal ? { attempt: caller.refusal.attempt } : {}),
  };
}

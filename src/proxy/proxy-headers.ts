import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they belong to one connection and are never forwarded,
 * nor are the headers a Connection header names. `upgrade` too: WebSocket routes are not
 * forwarded yet.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// W3C Trace Context §3.2: version-traceid-parentid-flags, lower-case hex, ids not all zero.
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** What the BFF knows about the browser's request that the API should know too. */
export interface ForwardedFor {
  /** The client's address as the BFF sees it, and the chain before it when proxies are trusted. */
  readonly forwardedFor: string;
  readonly proto: string;
  readonly host: string;
  readonly requestId: string;
}

/**
 * A copy without the hop-by-hop headers and those `skip` names; copied rather than `delete`d
 * from, which would turn the object into a slow dictionary on this per-request path.
 */
function endToEnd(headers: IncomingHttpHeaders, skip: ReadonlySet<string>): IncomingHttpHeaders {
  const named = headers.connection;
  const alsoHop =
    typeof named === 'string' && named !== 'keep-alive' && named !== 'close'
      ? new Set(named.split(',').map((name) => name.trim().toLowerCase()))
      : undefined;
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (!HOP_BY_HOP.has(name) && !skip.has(name) && !alsoHop?.has(name)) {
      kept[name] = headers[name];
    }
  }
  return kept;
}

/** Request headers that prove the caller to the BFF, or that the BFF sets itself. */
const NOT_FORWARDED = ['cookie', 'authorization', 'x-forwarded-for', 'forwarded'];
const skipSets = new Map<string, ReadonlySet<string>>();

/** What not to copy: with no valid trace context, its `tracestate` goes too (it belongs to it). */
function requestSkips(csrfHeader: string, newTrace: boolean): ReadonlySet<string> {
  const id = `${csrfHeader} ${newTrace}`;
  let skip = skipSets.get(id);
  if (!skip) {
    skip = new Set([...NOT_FORWARDED, csrfHeader, ...(newTrace ? ['tracestate'] : [])]);
    skipSets.set(id, skip);
  }
  return skip;
}

const SET_COOKIE: ReadonlySet<string> = new Set(['set-cookie']);

const withTraceparent = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();

/** `skip` and `traceparent` too. */
function alsoTraceparent(skip: ReadonlySet<string>): ReadonlySet<string> {
  let both = withTraceparent.get(skip);
  if (!both) {
    both = new Set([...skip, 'traceparent']);
    withTraceparent.set(skip, both);
  }
  return both;
}

/**
 * The upstream request's headers from the browser's. The browser's credentials stay here: its
 * Cookie (the session), Authorization (the BFF's bearer) and the CSRF header prove who the
 * caller is to the BFF; the API gets the route's token instead, or nothing.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  csrfHeader: string,
  token: string | undefined,
  forwarded: ForwardedFor,
  /** OpenTelemetry writes the trace context itself (tracing on): leave both headers to it. */
  otelPropagates = false,
): IncomingHttpHeaders {
  const traceparent = incoming.traceparent;
  const newTrace =
    otelPropagates || typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent);
  const headers = endToEnd(
    incoming,
    otelPropagates
      ? alsoTraceparent(requestSkips(csrfHeader, true))
      : requestSkips(csrfHeader, newTrace),
  );
  if (token !== undefined) {
    headers.authorization = `Bearer ${token}`;
  }
  headers['x-forwarded-for'] = forwarded.forwardedFor;
  headers['x-forwarded-proto'] = forwarded.proto;
  headers['x-forwarded-host'] = forwarded.host;
  headers['x-request-id'] = forwarded.requestId;
  if (newTrace && !otelPropagates) {
    // No valid trace context came: start one, so the API's logs can be joined with ours by it.
    headers.traceparent = newTraceparent();
  }
  return headers;
}

/**
 * A W3C traceparent for a new trace, not sampled (we record no spans of our own here). The ids
 * come from randomUUID, which draws its randomness in batches (randomBytes is a system call per
 * request); 122 of the trace id's 128 bits are random, as W3C Trace Context §3.2.2.3 wants.
 */
export function newTraceparent(): string {
  const traceId = randomUUID().replace(/-/g, '');
  const spanId = randomUUID().slice(0, 8) + randomUUID().slice(24, 32);
  return `00-${traceId}-${spanId}-00`;
}

/**
 * The API's response headers as the browser gets them: hop-by-hop headers dropped, and no
 * Set-Cookie that would set or clear one of the BFF's own cookies (the session and login
 * cookies): an API must never be able to log a browser in or out of the BFF.
 */
export function downstreamResponseHeaders(
  upstream: IncomingHttpHeaders,
  ownCookies: ReadonlySet<string>,
): IncomingHttpHeaders {
  const headers = endToEnd(upstream, SET_COOKIE);
  const kept = upstream['set-cookie']?.filter((line) => !ownCookies.has(cookieName(line)));
  if (kept && kept.length > 0) {
    headers['set-cookie'] = kept;
  }
  return headers;
}

/** RFC 6265 §5.2: the name is what precedes the first `=` of the first `;`-part, trimmed. */
function cookieName(setCookie: string): string {
  const pair = setCookie.split(';', 1)[0] ?? '';
  const eq = pair.indexOf('=');
  return (eq < 0 ? '' : pair.slice(0, eq)).trim();
}

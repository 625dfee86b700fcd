import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they belong to one connection and are never forwarded,
 * nor are the headers a Connection header names. `upgrade` too: WebSocket routes are not
 * forwarded yet.
 */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

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

function dropHopByHop(headers: Record<string, unknown>): void {
  const named = headers.connection;
  if (typeof named === 'string') {
    for (const name of named.split(',')) {
      delete headers[name.trim().toLowerCase()];
    }
  }
  for (const name of HOP_BY_HOP) {
    delete headers[name];
  }
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
): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { ...incoming };
  dropHopByHop(headers);
  delete headers.cookie;
  delete headers.authorization;
  delete headers[csrfHeader];
  delete headers['x-forwarded-for'];
  delete headers.forwarded;
  if (token !== undefined) {
    headers.authorization = `Bearer ${token}`;
  }
  headers['x-forwarded-for'] = forwarded.forwardedFor;
  headers['x-forwarded-proto'] = forwarded.proto;
  headers['x-forwarded-host'] = forwarded.host;
  headers['x-request-id'] = forwarded.requestId;
  const traceparent = incoming.traceparent;
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) {
    // No valid trace context came: start one, so the API's logs can be joined with ours by it.
    headers.traceparent = newTraceparent();
    delete headers.tracestate;
  }
  return headers;
}

/** A W3C traceparent for a new trace, not sampled (we record no spans of our own here). */
export function newTraceparent(): string {
  const ids = randomBytes(24).toString('hex');
  return `00-${ids.slice(0, 32)}-${ids.slice(32)}-00`;
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
  const headers: IncomingHttpHeaders = { ...upstream };
  dropHopByHop(headers);
  const setCookie = headers['set-cookie'];
  if (setCookie !== undefined) {
    const kept = setCookie.filter((line) => !ownCookies.has(cookieName(line)));
    if (kept.length > 0) {
      headers['set-cookie'] = kept;
    } else {
      delete headers['set-cookie'];
    }
  }
  return headers;
}

/** RFC 6265 §5.2: the name is what precedes the first `=` of the first `;`-part, trimmed. */
function cookieName(setCookie: string): string {
  const pair = setCookie.split(';', 1)[0] ?? '';
  const eq = pair.indexOf('=');
  return (eq < 0 ? '' : pair.slice(0, eq)).trim();
}

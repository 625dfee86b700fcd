import { type CookieSerializeOptions, fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../config/session.config';

/**
 * `__Host-` cookies (RFC 6265bis §4.1.3.2): Secure, Path=/ and no Domain, so no sibling host
 * or path can overwrite them. Browsers accept Secure cookies from http://localhost and
 * http://127.0.0.1 too (potentially trustworthy origins), which is what development uses.
 */
const BASE = { path: '/', httpOnly: true, secure: true } satisfies CookieSerializeOptions;

/**
 * What the session cookie's steps read of a request: its method and its raw headers (the Cookie
 * header is parsed here, never taken from @fastify/cookie's parse, which keeps only the first
 * value of a name).
 */
export type CookieCarrier = Pick<FastifyRequest, 'method' | 'headers'>;

/** At most this many values of the session cookie are looked up per request (a store read each). */
export const MAX_SESSION_COOKIE_VALUES = 5;

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Every non-empty value sent under `name`, in the order sent, without repeats. A browser sends
 * one cookie per matching domain and path (RFC 6265 §5.4), so a cookie set by a sibling
 * subdomain or injected ahead of ours arrives under the same name, first; @fastify/cookie
 * keeps only that first one.
 */
export function readCookies(request: Pick<CookieCarrier, 'headers'>, name: string): string[] {
  const header = request.headers.cookie;
  if (typeof header !== 'string') {
    return [];
  }
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) {
      continue;
    }
    const value = cookieValue(pair.slice(eq + 1).trim());
    if (value !== '' && !values.includes(value)) {
      values.push(value);
    }
  }
  return values;
}

/** As @fastify/cookie reads a value: quotes dropped (RFC 6265 §4.1.1), percent-decoded if it can be. */
function cookieValue(raw: string): string {
  const unquoted =
    raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!unquoted.includes('%')) {
    return unquoted;
  }
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return unquoted;
  }
}

export function setSessionCookie(reply: FastifyReply, config: SessionConfig, id: string): void {
  void reply.setCookie(config.cookieName, id, {
    ...BASE,
    sameSite: config.sameSite,
    maxAge: Math.floor(config.absoluteTimeoutMs / 1000),
  });
}

/** Lax, because it must come back on the top-level redirect from Keycloak to /auth/callback. */
export function setLoginCookie(reply: FastifyReply, config: SessionConfig, id: string): void {
  void reply.setCookie(config.loginCookieName, id, {
    ...BASE,
    sameSite: 'lax',
    maxAge: Math.floor(config.loginTimeoutMs / 1000),
  });
}

export function clearCookie(reply: FastifyReply, name: string, sameSite: 'strict' | 'lax'): void {
  void reply.clearCookie(name, { ...BASE, sameSite });
}

/**
 * The `Set-Cookie` header that clears `name`, byte for byte what clearCookie sends, for an error
 * to carry: a credential refused inside the guard's pipeline has no reply to clear it on.
 */
export function clearingHeaders(name: string, sameSite: 'strict' | 'lax'): Record<string, string> {
  return {
    'set-cookie': fastifyCookie.serialize(name, '', {
      ...BASE,
      sameSite,
      expires: new Date(0),
      maxAge: 0,
    }),
  };
}

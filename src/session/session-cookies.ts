import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../config/session.config';

/**
 * `__Host-` cookies (RFC 6265bis §4.1.3.2): Secure, Path=/ and no Domain, so no sibling host
 * or path can overwrite them. Browsers accept Secure cookies from http://localhost and
 * http://127.0.0.1 too (potentially trustworthy origins), which is what development uses.
 */
const BASE: CookieSerializeOptions = { path: '/', httpOnly: true, secure: true };

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies[name];
  return value === undefined || value === '' ? undefined : value;
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

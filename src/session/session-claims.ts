import { decode } from 'jsonwebtoken';
import {
  type AccessTokenClaims,
  type AuthenticatedUser,
  rolesOf,
} from '../auth/authenticated-user';
import type { SessionRecord } from './session.types';

// Protocol claims of the ID token that say nothing about the user.
const PROTOCOL_CLAIMS = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nbf',
  'jti',
  'nonce',
  'at_hash',
  'c_hash',
  'azp',
  'typ',
  'sid',
  'session_state',
  'acr',
]);

/** The ID token's claims about the user, as GET /auth/session shows them. */
export function userClaimsOf(idClaims: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(idClaims).filter(([claim]) => !PROTOCOL_CLAIMS.has(claim)),
  );
}

/** Callers of recently seen access tokens: a session's every request would decode its token. */
const recentCallers = new Map<string, AuthenticatedUser>();
const RECENT_CALLERS_MAX = 1024;

/**
 * The caller a session stands for, as the bearer path describes one. The access token was
 * verified when it was stored, and the record is authenticated by AES-GCM: decoding suffices.
 * The answer for a token is remembered (bounded; a refreshed session has a new token) and shared
 * by that token's requests, so it is frozen.
 */
export function sessionCallerOf(record: SessionRecord): AuthenticatedUser {
  const known = recentCallers.get(record.accessToken);
  if (known) {
    return known;
  }
  const claims = decode(record.accessToken, { json: true }) as AccessTokenClaims;
  const caller: AuthenticatedUser = Object.freeze({
    claims: Object.freeze(claims),
    roles: Object.freeze(rolesOf(claims)) as string[],
    accessToken: record.accessToken,
    // Its tokens live on the server and must never be handed to the browser.
    viaSession: true,
  });
  if (recentCallers.size >= RECENT_CALLERS_MAX) {
    const oldest = recentCallers.keys().next();
    if (!oldest.done) {
      recentCallers.delete(oldest.value);
    }
  }
  recentCallers.set(record.accessToken, caller);
  return caller;
}

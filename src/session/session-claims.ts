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

/**
 * The caller a session stands for, as the bearer path describes one. The access token was
 * verified when it was stored, and the record is authenticated by AES-GCM: decoding suffices.
 */
export function sessionCallerOf(record: SessionRecord): AuthenticatedUser {
  const claims = decode(record.accessToken, { json: true }) as AccessTokenClaims;
  return {
    claims,
    roles: rolesOf(claims),
    accessToken: record.accessToken,
    // Its tokens live on the server and must never be handed to the browser.
    viaSession: true,
  };
}

import { createHash, randomBytes } from 'node:crypto';
import { LOGIN_TRANSACTION_PREFIX } from './store/session-store';

/** 256 random bits, URL-safe: session ids, transaction ids, state, nonce, PKCE verifier, lock owners. */
export const randomId = (): string => randomBytes(32).toString('base64url');

// The store never sees a session or transaction id, only its hash: reading the store does not
// yield cookies.
const hashed = (id: string): string => createHash('sha256').update(id).digest('base64url');

/**
 * Every key the session mode writes to its store, in one place: the repositories build keys only
 * through these, so no two ideas can collide on a prefix.
 */
/** Prefix of session records' keys (the active-sessions gauge counts them). */
export const SESSION_KEY_PREFIX = 's:';

export const storeKeys = {
  /** A session record, by the id in the cookie. */
  session: (id: string): string => `${SESSION_KEY_PREFIX}${hashed(id)}`,
  /** When the session stored under `sessionKey` was last used (beside the record, see touch). */
  seen: (sessionKey: string): string => `seen:${sessionKey}`,
  /** The lock of one session's refresh. */
  refreshLock: (sessionKey: string): string => `lock:${sessionKey}`,
  /** How the last refresh under that lock failed, for those who waited for it. */
  refreshFailure: (sessionKey: string): string => `refresh-failed:${sessionKey}`,
  /** Keycloak's session id → our session keys (back-channel logout by sid). */
  sidIndex: (sid: string): string => `sid:${sid}`,
  /** The user → our session keys (back-channel logout by sub). */
  subIndex: (sub: string): string => `sub:${sub}`,
  /** A pending login, by the id in the login cookie. */
  loginTransaction: (id: string): string => `${LOGIN_TRANSACTION_PREFIX}${hashed(id)}`,
  /** The pending logins of one client IP. */
  loginsOfIp: (clientIp: string): string => `login-ip:${hashed(clientIp)}`,
  /** A token's jti, remembered against replays (logout tokens). */
  usedTokenId: (jti: string): string => `jti:${jti}`,
} as const;

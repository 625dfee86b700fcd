/**
 * Where sealed session records, login transactions and the sid/sub indexes live. Values are
 * opaque strings (already encrypted); every key expires on its own.
 */
export interface SessionStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Overwrites `key` only if it still exists (Redis `SET … XX`); false when it is gone. A refresh
   * or touch finishing after a logout must not bring the session back.
   */
  replace(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * `replace`, and only while `owner` still holds `lockKey`, in one step: a refresher whose lease
   * ran out must not overwrite what the next lock holder stored.
   */
  replaceWhileLocked(
    key: string,
    value: string,
    ttlMs: number,
    lockKey: string,
    owner: string,
  ): Promise<boolean>;
  /**
   * `set`, and records `key` in `group`; when the group then holds more than `maxPerGroup` live
   * keys, its oldest are deleted. Pending logins are grouped per client IP, so that one client
   * starting logins in a loop only ever evicts its own.
   */
  setInGroup(
    key: string,
    value: string,
    ttlMs: number,
    group: string,
    maxPerGroup: number,
  ): Promise<void>;
  /** Get and delete in one step: a login transaction can be used once, even across instances. */
  take(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /** Adds a member to a set that expires no earlier than `ttlMs` from now. */
  addToIndex(index: string, member: string, ttlMs: number): Promise<void>;
  /** Removes the set and returns what it held. */
  takeIndex(index: string): Promise<string[]>;
  /** Acquires `key` for `leaseMs` unless someone holds it; true when acquired. */
  tryLock(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Releases `key` only if `owner` still holds it (an expired lease may belong to another). */
  unlock(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

export const SESSION_STORE = Symbol('SessionStore');

/** Key prefix of pending login transactions (the in-memory store caps how many it keeps). */
export const LOGIN_TRANSACTION_PREFIX = 'tx:';

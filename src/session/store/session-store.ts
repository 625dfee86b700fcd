/**
 * Where sealed session records, login transactions and the sid/sub indexes live. Values are
 * opaque strings (already encrypted); every key expires on its own. Only the repositories
 * (`*.repository.ts`) use a store: what a key means (a lock, a replay marker) is theirs to say.
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
  /** Sets `key` unless it exists (Redis `SET … NX PX`); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes `key` only while it still holds `value` (an expired lock may be another's now). */
  deleteIfEquals(key: string, value: string): Promise<void>;
  close(): Promise<void>;
  /**
   * How many unexpired keys start with `prefix`, for stores that can tell without a scan of a
   * shared server (the memory store); Redis leaves it out rather than SCAN at every scrape.
   */
  countLive?(prefix: string): number;
}

export const SESSION_STORE = Symbol('SessionStore');

/** Key prefix of pending login transactions (the in-memory store caps how many it keeps). */
export const LOGIN_TRANSACTION_PREFIX = 'tx:';

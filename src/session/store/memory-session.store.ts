import type { Clock } from '../../common/clock/clock';
import { LOGIN_TRANSACTION_PREFIX, type SessionStore } from './session-store';

/**
 * How many pending logins the embedded store keeps in all. GET /auth/login needs no
 * authentication; login starts are rate-limited and capped per client IP (setInGroup), and this
 * is the backstop against many addresses: past it the oldest pending login is dropped (its
 * callback then answers LOGIN_TRANSACTION_MISSING and the user starts again).
 */
export const MAX_PENDING_LOGINS = 10_000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** The embedded store for a single instance: sessions vanish on restart. */
export class MemorySessionStore implements SessionStore {
  private readonly values = new Map<string, Entry<string>>();
  private readonly indexes = new Map<string, Entry<Set<string>>>();
  private readonly groups = new Map<string, Entry<string[]>>();
  /** Pending login-transaction keys, oldest first (a Set keeps insertion order). */
  private readonly pendingLogins = new Set<string>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly clock: Clock,
    sweepIntervalMs = 60_000,
    private readonly maxPendingLogins = MAX_PENDING_LOGINS,
  ) {
    // Expired entries are also dropped on read; the sweep bounds memory for abandoned ones.
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.live(this.values, key)?.value);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    if (key.startsWith(LOGIN_TRANSACTION_PREFIX)) {
      this.pendingLogins.add(key);
      this.evictOldestLogins();
    }
    return Promise.resolve();
  }

  async setInGroup(
    key: string,
    value: string,
    ttlMs: number,
    group: string,
    maxPerGroup: number,
  ): Promise<void> {
    await this.set(key, value, ttlMs);
    // Keys already taken or expired no longer count.
    const members = (this.live(this.groups, group)?.value ?? []).filter(
      (member) => this.live(this.values, member) !== undefined,
    );
    members.push(key);
    while (members.length > maxPerGroup) {
      const oldest = members.shift();
      if (oldest !== undefined) {
        this.drop(oldest);
      }
    }
    this.groups.set(group, { value: members, expiresAt: this.clock.now() + ttlMs });
  }

  replace(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (!this.live(this.values, key)) {
      return Promise.resolve(false);
    }
    this.values.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    return Promise.resolve(true);
  }

  replaceWhileLocked(
    key: string,
    value: string,
    ttlMs: number,
    lockKey: string,
    owner: string,
  ): Promise<boolean> {
    if (this.live(this.values, lockKey)?.value !== owner) {
      return Promise.resolve(false);
    }
    return this.replace(key, value, ttlMs);
  }

  take(key: string): Promise<string | undefined> {
    const value = this.live(this.values, key)?.value;
    this.drop(key);
    return Promise.resolve(value);
  }

  delete(key: string): Promise<void> {
    this.drop(key);
    return Promise.resolve();
  }

  addToIndex(index: string, member: string, ttlMs: number): Promise<void> {
    const expiresAt = this.clock.now() + ttlMs;
    const entry = this.live(this.indexes, index);
    if (entry) {
      entry.value.add(member);
      entry.expiresAt = Math.max(entry.expiresAt, expiresAt);
    } else {
      this.indexes.set(index, { value: new Set([member]), expiresAt });
    }
    return Promise.resolve();
  }

  takeIndex(index: string): Promise<string[]> {
    const members = [...(this.live(this.indexes, index)?.value ?? [])];
    this.indexes.delete(index);
    return Promise.resolve(members);
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(this.values, key)) {
      return Promise.resolve(false);
    }
    this.values.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    return Promise.resolve(true);
  }

  deleteIfEquals(key: string, value: string): Promise<void> {
    if (this.live(this.values, key)?.value === value) {
      this.values.delete(key);
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }

  countLive(prefix: string): number {
    const now = this.clock.now();
    let count = 0;
    for (const [key, entry] of this.values) {
      if (entry.expiresAt > now && key.startsWith(prefix)) {
        count++;
      }
    }
    return count;
  }

  private live<T>(map: Map<string, Entry<T>>, key: string): Entry<T> | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      map.delete(key);
      this.pendingLogins.delete(key);
      return undefined;
    }
    return entry;
  }

  private drop(key: string): void {
    this.values.delete(key);
    this.pendingLogins.delete(key);
  }

  private evictOldestLogins(): void {
    for (const key of this.pendingLogins) {
      if (this.pendingLogins.size <= this.maxPendingLogins) {
        return;
      }
      this.drop(key);
    }
  }

  private sweep(): void {
    for (const key of this.values.keys()) {
      this.live(this.values, key);
    }
    for (const key of this.indexes.keys()) {
      this.live(this.indexes, key);
    }
    for (const key of this.groups.keys()) {
      this.live(this.groups, key);
    }
  }
}

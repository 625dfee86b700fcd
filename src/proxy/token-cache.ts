import type { Clock } from '../common/clock/clock';

/** A token and when to stop handing it out (epoch ms). */
export interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Tokens the proxy obtained from Keycloak, by key, until shortly before they expire: bounded
 * (the oldest entry goes first), and single-flight: concurrent first requests for one key share
 * one grant at Keycloak, and a failed grant is shared by its waiters, never cached.
 */
export class TokenCache {
  private readonly entries = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly maxEntries: number,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached token for `key`, or the one `grant` obtains (one grant per key at a time). */
  async get(key: string, grant: () => Promise<CachedToken>): Promise<string> {
    const cached = this.entries.get(key);
    if (cached) {
      if (cached.expiresAt > this.clock.now()) {
        return cached.token;
      }
      this.entries.delete(key);
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = grant().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
      pending.then(
        (fresh) => this.store(key, fresh),
        () => undefined, // the waiters see the failure; nothing is cached
      );
    }
    return (await pending).token;
  }

  /** The API refused this token (revoked, key rotated): forget it if it is still the cached one. */
  forget(key: string, token: string): void {
    if (this.entries.get(key)?.token === token) {
      this.entries.delete(key);
    }
  }

  private store(key: string, fresh: CachedToken): void {
    if (this.maxEntries === 0 || fresh.expiresAt <= this.clock.now()) {
      return;
    }
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(key, fresh);
  }
}

/**
 * When to stop using a token that lives `expiresInSec` from now: a little before it expires (a
 * quarter of its life, at most 30 s), so a token is not sent that expires on the way.
 */
export function expiryOf(now: number, expiresInSec: number): number {
  const lifeMs = expiresInSec * 1000;
  return now + lifeMs - Math.min(30_000, lifeMs / 4);
}

import type { AuthenticatedUser } from '../authenticated-user';

/**
 * Recently verified tokens, so a busy SPA does not pay a signature check per request. Bounded
 * (oldest entry evicted first) and never past the token's own `exp`.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { user: AuthenticatedUser; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): AuthenticatedUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) {
      return undefined;
    }
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  set(token: string, user: AuthenticatedUser): void {
    if (this.maxEntries === 0) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(token, { user, expiresAt: user.claims.exp * 1000 });
  }

  get size(): number {
    return this.entries.size;
  }
}

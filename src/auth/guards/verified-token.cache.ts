import type { Clock } from '../../common/clock/clock';
import type { AuthenticatedUser } from '../authenticated-user';

interface Entry {
  user: AuthenticatedUser;
  expiresAt: number;
  /** The key that signed the token: when the realm drops it, the entry goes too. */
  kid: string;
}

/**
 * Recently verified tokens, so a busy SPA does not pay a signature check per request. Bounded
 * (oldest entry evicted first), never past the token's own `exp`, and never past its signing
 * key: `dropKeys` removes what a key that left the realm's JWKS signed.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    /** Whether a kid is still in the realm's key set, checked as an entry is stored. */
    private readonly isCurrentKey: (kid: string) => boolean,
    private readonly clock: Clock,
  ) {}

  /** False with AUTH_TOKEN_CACHE_SIZE=0: nothing is stored, so nothing need be prepared for it. */
  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get(token: string): AuthenticatedUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) {
      return undefined;
    }
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  set(token: string, user: AuthenticatedUser, kid: string): void {
    // A verification that started before its key was dropped must not outlive the drop.
    if (this.maxEntries === 0 || !this.isCurrentKey(kid)) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(token, { user, expiresAt: user.claims.exp * 1000, kid });
  }

  /** Forgets every token signed by one of these keys; returns how many went. */
  dropKeys(kids: readonly string[]): number {
    const gone = new Set(kids);
    let dropped = 0;
    for (const [token, entry] of this.entries) {
      if (gone.has(entry.kid)) {
        this.entries.delete(token);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The `kid` of a compact JWS's protected header, or '' when it has none (RFC 7515 §4.1.4). */
export function kidOf(token: string): string {
  try {
    const header = JSON.parse(
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'),
    ) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : '';
  } catch {
    return '';
  }
}

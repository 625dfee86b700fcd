/**
 * The refuse mode, for the proxy's retry test: a request carrying `x-orders-api-refuse: <key>`
 * (or `<key>:<times>`) is answered 401 `invalid_token`, as if its token had been revoked, for the
 * first `times` requests with that key (default 1); later ones pass. A proxy that drops its
 * cached token and retries once therefore succeeds with `<key>` and fails with `<key>:2`, and
 * every answer reports which attempt it was.
 */
export const REFUSE_HEADER = 'x-orders-api-refuse';

const REFUSE_VALUE = /^([\w.-]{1,100})(?::(\d{1,4}))?$/;
// Keys are test-chosen; a bounded map keeps a stream of new ones from growing memory.
const MAX_KEYS = 10_000;

export interface Refusal {
  key: string;
  /** 1 for the first request with this key. */
  attempt: number;
  refused: boolean;
}

export class Refusals {
  private readonly attempts = new Map<string, number>();

  /** Counts this request; undefined when the header is absent or malformed. */
  next(header: string | undefined): Refusal | undefined {
    const match = header === undefined ? null : REFUSE_VALUE.exec(header.trim());
    if (match === null) {
      return undefined;
    }
    const key = match[1] ?? '';
    const times = match[2] === undefined ? 1 : Number(match[2]);
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.delete(key);
    this.attempts.set(key, attempt);
    if (this.attempts.size > MAX_KEYS) {
      const oldest = this.attempts.keys().next().value;
      if (oldest !== undefined) {
        this.attempts.delete(oldest);
      }
    }
    return { key, attempt, refused: attempt <= times };
  }
}

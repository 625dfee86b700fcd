import { hardEndOf, isRefreshDue, isTouchDue, sessionEndOf, storeTtlOf } from './session-expiry';
import type { SessionRecord } from './session.types';

const CONFIG = { idleTimeoutMs: 1_800_000, absoluteTimeoutMs: 36_000_000 };
const T0 = 1_700_000_000_000;

const record = (extra: Partial<SessionRecord> = {}): SessionRecord => ({
  sub: 'alice',
  accessToken: 'a',
  accessExpiresAt: T0 + 300_000,
  accessLifetimeMs: 300_000,
  refreshExpiresAt: T0 + 3_600_000,
  createdAt: T0,
  userClaims: {},
  ...extra,
});

describe(sessionEndOf.name, () => {
  it('should end an idle session at last use plus the idle timeout', () => {
    expect(sessionEndOf({ record: record(), lastSeenAt: T0 + 60_000 }, CONFIG)).toBe(
      T0 + 60_000 + 1_800_000,
    );
  });

  it('should end a busy session when its refresh token ends', () => {
    expect(sessionEndOf({ record: record(), lastSeenAt: T0 + 3_000_000 }, CONFIG)).toBe(
      T0 + 3_600_000,
    );
  });

  it('should end an offline session (no refresh expiry) at the absolute timeout', () => {
    const offline = record({ refreshExpiresAt: undefined });
    expect(hardEndOf(offline, CONFIG)).toBe(T0 + 36_000_000);
    expect(sessionEndOf({ record: offline, lastSeenAt: T0 + 35_000_000 }, CONFIG)).toBe(
      T0 + 36_000_000,
    );
  });
});

describe(storeTtlOf.name, () => {
  it('should keep a record until its hard end, and never for less than 1 ms', () => {
    expect(storeTtlOf(record(), T0 + 600_000, CONFIG)).toBe(3_000_000);
    expect(storeTtlOf(record(), T0 + 9_000_000, CONFIG)).toBe(1);
  });
});

describe(isRefreshDue.name, () => {
  it('should be due within refreshBefore of expiry, not earlier', () => {
    const r = record();
    expect(isRefreshDue(r, T0 + 294_999, 5_000)).toBe(false);
    expect(isRefreshDue(r, T0 + 295_000, 5_000)).toBe(true);
  });

  it('should never be due earlier than half the lifetime of a short-lived token', () => {
    const short = record({ accessExpiresAt: T0 + 4_000, accessLifetimeMs: 4_000 });
    expect(isRefreshDue(short, T0 + 1_999, 5_000)).toBe(false);
    expect(isRefreshDue(short, T0 + 2_000, 5_000)).toBe(true);
  });
});

describe(isTouchDue.name, () => {
  it('should write "last used" at most once per tenth of the idle timeout', () => {
    expect(isTouchDue(T0, T0 + 179_999, 1_800_000)).toBe(false);
    expect(isTouchDue(T0, T0 + 180_000, 1_800_000)).toBe(true);
  });
});

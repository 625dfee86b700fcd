import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../test/utils/manual-clock';
import type { SessionConfig } from '../config/session.config';
import type { KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import { storeKeys } from './session-ids';
import { SessionSealer } from './session-sealer';
import { type RefreshLease, SessionRepository } from './session.repository';
import type { LoadedSession } from './session.types';
import { MemorySessionStore } from './store/memory-session.store';

const CONFIG = {
  encryptionKeys: [randomBytes(32)],
  idleTimeoutMs: 1_800_000,
  absoluteTimeoutMs: 36_000_000,
} as SessionConfig;

const TOKENS: KeycloakTokenResponse = {
  access_token: 'access-0',
  refresh_token: 'refresh-0',
  expires_in: 300,
  refresh_expires_in: 36_000,
  token_type: 'Bearer',
};

describe(SessionRepository.name, () => {
  let clock: ManualClock;
  let store: MemorySessionStore;
  let sut: SessionRepository;
  /** Another instance: its own repository over the same store. */
  let other: SessionRepository;

  beforeEach(() => {
    clock = new ManualClock();
    store = new MemorySessionStore(clock);
    sut = new SessionRepository(clock, store, new SessionSealer(CONFIG), CONFIG);
    other = new SessionRepository(clock, store, new SessionSealer(CONFIG), CONFIG);
  });
  afterEach(async () => {
    await store.close();
  });

  async function stored(): Promise<LoadedSession> {
    const session = await sut.load(await sut.create(TOKENS, { sub: 'alice', sid: 'kc-1' }));
    if (!session) {
      throw new Error('not stored');
    }
    return session;
  }

  describe('withRefreshLock', () => {
    it('should run the function holding the lock, then release it', async () => {
      const fn = jest.fn((lease: RefreshLease) => Promise.resolve(lease.owner));

      const first = await sut.withRefreshLock('s:x', 10_000, fn);
      const second = await other.withRefreshLock('s:x', 10_000, fn);

      expect(fn).toHaveBeenCalledTimes(2);
      expect(first).toEqual({ held: true, value: expect.any(String) as string });
      expect(second).toEqual({ held: true, value: expect.any(String) as string });
    });

    it('should not run the function while another instance holds the lock', async () => {
      let release: () => void = () => undefined;
      let owner = '';
      const holding = sut.withRefreshLock('s:x', 10_000, (lease) => {
        owner = lease.owner;
        return new Promise<void>((resolve) => (release = resolve));
      });
      const fn = jest.fn(() => Promise.resolve('ran'));

      const attempt = await other.withRefreshLock('s:x', 10_000, fn);

      expect(attempt).toEqual({ held: false, holder: owner });
      expect(owner).not.toBe('');
      expect(fn).not.toHaveBeenCalled();
      // Another session's lock is another lock.
      await expect(other.withRefreshLock('s:y', 10_000, fn)).resolves.toEqual({
        held: true,
        value: 'ran',
      });
      release();
      await holding;
    });

    it('should release the lock when the function fails', async () => {
      const boom = new Error('boom');
      await expect(sut.withRefreshLock('s:x', 10_000, () => Promise.reject(boom))).rejects.toBe(
        boom,
      );
      await expect(
        other.withRefreshLock('s:x', 10_000, () => Promise.resolve('next')),
      ).resolves.toEqual({ held: true, value: 'next' });
    });

    it('should free the lock after its lease, and not let the old holder store or release it', async () => {
      const session = await stored();
      let lateLease: RefreshLease | undefined;
      let finishLate: () => void = () => undefined;
      const late = sut.withRefreshLock(session.key, 10_000, async (lease) => {
        lateLease = lease;
        await new Promise<void>((resolve) => (finishLate = resolve));
      });
      clock.advance(10_000);

      let taken: RefreshLease | undefined;
      let finishNext: () => void = () => undefined;
      const next = other.withRefreshLock(session.key, 10_000, async (lease) => {
        taken = lease;
        await new Promise<void>((resolve) => (finishNext = resolve));
      });
      await Promise.resolve();
      expect(taken).toBeDefined();

      // The late holder's save under its lapsed lease writes nothing ...
      const record = { ...session.record, refreshToken: 'late' };
      expect(await sut.save({ key: session.key, record }, lateLease)).toBe(false);
      // ... and its release leaves the new holder's lock in place.
      finishLate();
      await late;
      await expect(
        sut.withRefreshLock(session.key, 10_000, () => Promise.resolve()),
      ).resolves.toEqual({ held: false, holder: taken?.owner });
      expect(await other.save({ key: session.key, record }, taken)).toBe(true);
      finishNext();
      await next;
    });
  });

  describe('recordRefreshFailure', () => {
    const failure = {
      status: 504,
      code: 'IDP_TIMEOUT',
      title: 'Identity provider timeout',
      detail: 'd',
    };
    const lease = { key: 'lock:s:x', owner: 'holder-a' };

    it('should tell only those who waited for that lease how its refresh failed, for its ttl', async () => {
      await sut.recordRefreshFailure('s:x', lease, failure, 1_000);

      expect(await other.refreshFailureOf('s:x', new Set(['holder-a']))).toEqual(failure);
      expect(await other.refreshFailureOf('s:x', new Set(['holder-b']))).toBeUndefined();
      expect(await other.refreshFailureOf('s:y', new Set(['holder-a']))).toBeUndefined();
      clock.advance(1_000);
      expect(await other.refreshFailureOf('s:x', new Set(['holder-a']))).toBeUndefined();
    });

    it('should ignore a stored failure that does not have the shape of one', async () => {
      for (const value of ['not json', '{"owner":"holder-a","failure":{"status":"504"}}']) {
        await store.set(storeKeys.refreshFailure('s:x'), value, 1_000);
        expect(await sut.refreshFailureOf('s:x', new Set(['holder-a']))).toBeUndefined();
      }
    });
  });

  describe('rememberOnce', () => {
    it('should say true the first time and false for a replay, on every instance', async () => {
      expect(await sut.rememberOnce('jti-1', 300_000)).toBe(true);
      expect(await sut.rememberOnce('jti-1', 300_000)).toBe(false);
      expect(await other.rememberOnce('jti-1', 300_000)).toBe(false);
      expect(await other.rememberOnce('jti-2', 300_000)).toBe(true);
    });

    it('should forget the id once its time has passed', async () => {
      await sut.rememberOnce('jti-1', 300_000);
      clock.advance(299_999);
      expect(await sut.rememberOnce('jti-1', 300_000)).toBe(false);
      clock.advance(1);
      expect(await sut.rememberOnce('jti-1', 300_000)).toBe(true);
    });

    it('should not collide with a session refresh lock of the same name', async () => {
      expect(await sut.rememberOnce('s:x', 300_000)).toBe(true);
      await expect(sut.withRefreshLock('s:x', 10_000, () => Promise.resolve(1))).resolves.toEqual({
        held: true,
        value: 1,
      });
    });
  });

  describe('sessions', () => {
    it('should end a session idle for SESSION_IDLE_TIMEOUT_S', async () => {
      const session = await stored();
      clock.advance(CONFIG.idleTimeoutMs - 1);
      expect(await sut.loadKey(session.key)).toBeDefined();
      clock.advance(1);
      expect(await sut.loadKey(session.key)).toBeUndefined();
    });

    it('should postpone the idle end when touched, at most once per tenth of the idle time', async () => {
      const session = await stored();
      const replace = jest.spyOn(store, 'replace');
      clock.advance(CONFIG.idleTimeoutMs / 10 - 1);
      await sut.touch(session);
      expect(replace).not.toHaveBeenCalled();
      clock.advance(1);
      await sut.touch(session);
      expect(replace).toHaveBeenCalledTimes(1);
      clock.advance(CONFIG.idleTimeoutMs - 1);
      expect(await sut.loadKey(session.key)).toBeDefined();
    });

    it('should not bring back a session destroyed meanwhile on save', async () => {
      const session = await stored();
      await other.destroy(session.key);
      expect(await sut.save(session)).toBe(false);
      expect(await sut.loadKey(session.key)).toBeUndefined();
    });
  });
});

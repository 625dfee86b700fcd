import { automock } from '../../test/utils/automock';
import { sessionTestConfig } from '../../test/utils/session-fixture';
import { type Clock, SystemClock } from '../common/clock/clock';
import type { KeycloakConfig } from '../config/keycloak.config';
import { KeycloakTokenClient, type KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import {
  IdpTimeoutError,
  IdpUnavailableError,
  KeycloakResponseError,
} from '../keycloak/keycloak.errors';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { storeKeys } from './session-ids';
import { SessionRefresher } from './session-refresher';
import { SessionSealer } from './session-sealer';
import { SessionRepository } from './session.repository';
import type { LoadedSession } from './session.types';
import { MemorySessionStore } from './store/memory-session.store';

const CONFIG = sessionTestConfig({ refreshBeforeMs: 5_000, refreshLockMs: 2_000 });

const tokens = (n: number): KeycloakTokenResponse => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  expires_in: 10,
  refresh_expires_in: 1800,
  token_type: 'Bearer',
});

const KEYCLOAK = { httpTimeoutMs: 5_000 } as KeycloakConfig;

/** One "instance": its own refresher over a shared store. */
function instance(
  store: MemorySessionStore,
  refreshGrant: jest.Mock,
  accessToken: jest.Mock = jest.fn().mockResolvedValue({}),
  clock: Clock = new SystemClock(),
) {
  const repository = new SessionRepository(clock, store, new SessionSealer(CONFIG), CONFIG);
  const tokenClient = automock(KeycloakTokenClient, { refreshGrant });
  const verifier = automock(OidcTokenVerifier, { accessToken });
  return {
    repository,
    sut: new SessionRefresher(repository, tokenClient, verifier, CONFIG, KEYCLOAK, clock),
  };
}

async function expire(repository: SessionRepository, session: LoadedSession): Promise<void> {
  await repository.save({
    key: session.key,
    record: { ...session.record, accessExpiresAt: Date.now() - 1 },
  });
}

async function dueSession(repository: SessionRepository): Promise<LoadedSession> {
  const id = await repository.create(tokens(0), { sub: 'alice', sid: 'kc-1' });
  const loaded = await repository.load(id);
  if (!loaded) {
    throw new Error('not stored');
  }
  // 4 s left of 10: inside the 5 s refresh window.
  const record = { ...loaded.record, accessExpiresAt: Date.now() + 4_000 };
  await repository.save({ key: loaded.key, record });
  return { ...loaded, record };
}

describe(SessionRefresher.name, () => {
  let store: MemorySessionStore;
  beforeEach(() => {
    store = new MemorySessionStore(new SystemClock());
  });
  afterEach(async () => {
    await store.close();
  });

  it('should not refresh a token that is not due', async () => {
    const refreshGrant = jest.fn();
    const { sut, repository } = instance(store, refreshGrant);
    const id = await repository.create(tokens(0), { sub: 'alice' });
    const session = await repository.load(id);

    expect(await sut.fresh(session as LoadedSession)).toBe(session);
    expect(refreshGrant).not.toHaveBeenCalled();
  });

  it('should make one refresh grant for 20 concurrent callers and store the new tokens', async () => {
    const refreshGrant = jest.fn().mockResolvedValue(tokens(1));
    const { sut, repository } = instance(store, refreshGrant);
    const session = await dueSession(repository);

    const results = await Promise.all(Array.from({ length: 20 }, () => sut.fresh(session)));

    expect(refreshGrant).toHaveBeenCalledTimes(1);
    expect(refreshGrant).toHaveBeenCalledWith('refresh-0');
    expect(new Set(results.map((r) => r.record.accessToken))).toEqual(new Set(['access-1']));
    expect((await repository.loadKey(session.key))?.record.refreshToken).toBe('refresh-1');
  });

  it('should make one refresh grant across two instances sharing the store lock', async () => {
    let release: (value: KeycloakTokenResponse) => void = () => undefined;
    const refreshGrant = jest.fn(
      () => new Promise<KeycloakTokenResponse>((resolve) => (release = resolve)),
    );
    const a = instance(store, refreshGrant);
    const b = instance(store, refreshGrant);
    const session = await dueSession(a.repository);

    const pending = [a.sut.fresh(session), b.sut.fresh(session), b.sut.fresh(session)];
    await new Promise((r) => setTimeout(r, 120));
    release(tokens(1));
    const results = await Promise.all(pending);

    expect(refreshGrant).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.record.accessToken)).toEqual(['access-1', 'access-1', 'access-1']);
  });

  describe('when the refresh grant fails without ending the session (issue 15)', () => {
    const timedOut = new IdpTimeoutError('token', 5_000);
    /** A grant that hangs, then fails as Keycloak's timeout does; and the time each caller got its answer. */
    function hangingGrant(ms = 100) {
      return jest.fn(
        () =>
          new Promise<KeycloakTokenResponse>((_, reject) => setTimeout(() => reject(timedOut), ms)),
      );
    }
    const settled = (started: number) => (outcome: unknown) => ({
      outcome,
      ms: Date.now() - started,
    });

    it('should send one grant for both instances, the waiter serving the still-valid token too', async () => {
      const refreshGrant = hangingGrant();
      const a = instance(store, refreshGrant);
      const b = instance(store, refreshGrant);
      const session = await dueSession(a.repository);

      const first = a.sut.fresh(session);
      await new Promise((r) => setTimeout(r, 20));
      const waiter = b.sut.fresh(session);

      expect((await first).record.accessToken).toBe('access-0');
      expect((await waiter).record.accessToken).toBe('access-0');
      expect(refreshGrant).toHaveBeenCalledTimes(1);
    });

    it("should give the waiter the holder's failure at once when the token has expired, not a second grant", async () => {
      const refreshGrant = hangingGrant(300);
      const a = instance(store, refreshGrant);
      const b = instance(store, refreshGrant);
      const session = await dueSession(a.repository);
      await expire(a.repository, session);
      const started = Date.now();

      const first = a.sut.fresh(session).catch(settled(started));
      await new Promise((r) => setTimeout(r, 20));
      const waiter = b.sut.fresh(session).catch(settled(started));
      const [holder, waited] = await Promise.all([first, waiter]);

      expect(refreshGrant).toHaveBeenCalledTimes(1);
      expect(holder).toMatchObject({ outcome: timedOut });
      expect(waited).toMatchObject({
        outcome: { status: 504, code: 'IDP_TIMEOUT', detail: timedOut.detail },
      });
      // One grant's time (300 ms) and a poll, not two grants'.
      expect((waited as { ms: number }).ms).toBeLessThan(550);
      expect(await a.repository.loadKey(session.key)).toBeDefined();
    });

    it('should let a request that comes after the failure try again', async () => {
      const refreshGrant = hangingGrant(10);
      const a = instance(store, refreshGrant);
      const b = instance(store, refreshGrant);
      const session = await dueSession(a.repository);
      await expire(a.repository, session);
      await expect(a.sut.fresh(session)).rejects.toBe(timedOut);

      refreshGrant.mockResolvedValueOnce(tokens(1));

      expect((await b.sut.fresh(session)).record.accessToken).toBe('access-1');
      expect(refreshGrant).toHaveBeenCalledTimes(2);
    });
  });

  it('should end the session with SESSION_EXPIRED when Keycloak refuses the refresh token', async () => {
    const refused = new KeycloakResponseError(
      'token',
      { status: 400, error: 'invalid_grant', error_description: 'Session not active' },
      undefined,
    );
    const { sut, repository } = instance(store, jest.fn().mockRejectedValue(refused));
    const session = await dueSession(repository);

    await expect(sut.fresh(session)).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      status: 401,
    });
    expect(await repository.loadKey(session.key)).toBeUndefined();
  });

  it('should make the lock lease outlast two Keycloak calls, whatever SESSION_REFRESH_LOCK_MS says', () => {
    const { sut } = instance(store, jest.fn());
    expect(sut.leaseMs).toBeGreaterThanOrEqual(2 * KEYCLOAK.httpTimeoutMs);
  });

  it('should keep the session when Keycloak refuses the client, not the refresh token', async () => {
    const refused = new KeycloakResponseError(
      'token',
      { status: 401, error: 'invalid_client', error_description: 'Invalid client credentials' },
      undefined,
    );
    const { sut, repository } = instance(store, jest.fn().mockRejectedValue(refused));
    const session = await dueSession(repository);
    await expire(repository, session);

    await expect(sut.fresh(session)).rejects.toMatchObject({
      code: 'SESSION_REFRESH_FAILED',
      status: 502,
    });
    expect(await repository.loadKey(session.key)).toBeDefined();
  });

  it('should store the rotated refresh token even when the new access token cannot be verified', async () => {
    const down = new IdpUnavailableError('jwks', 'ECONNREFUSED');
    const { sut, repository } = instance(
      store,
      jest.fn().mockResolvedValue(tokens(1)),
      jest.fn().mockRejectedValue(down),
    );
    const session = await dueSession(repository);

    // The old access token still works: it is served, and the unverified one is not stored.
    expect((await sut.fresh(session)).record.accessToken).toBe('access-0');
    const stored = await repository.loadKey(session.key);
    expect(stored?.record.refreshToken).toBe('refresh-1');
    expect(stored?.record.accessToken).toBe('access-0');
  });

  it('should answer 503 when verification fails and the old access token has expired, keeping the new refresh token', async () => {
    const down = new IdpUnavailableError('jwks', 'ECONNREFUSED');
    const { sut, repository } = instance(
      store,
      jest.fn().mockResolvedValue(tokens(1)),
      jest.fn().mockRejectedValue(down),
    );
    const session = await dueSession(repository);
    await expire(repository, session);

    await expect(sut.fresh(session)).rejects.toBe(down);
    expect((await repository.loadKey(session.key))?.record.refreshToken).toBe('refresh-1');
  });

  it('should not resurrect a session logged out while its refresh was running', async () => {
    const { sut, repository } = instance(
      store,
      jest.fn(async () => {
        await repository.destroy(session.key);
        return tokens(1);
      }),
    );
    const session = await dueSession(repository);

    await expect(sut.fresh(session)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(await store.get(session.key)).toBeUndefined();
  });

  it('should not store tokens once its lock lease has passed to another refresher', async () => {
    const { sut, repository } = instance(
      store,
      jest.fn(async () => {
        await store.set(storeKeys.refreshLock(session.key), 'another-instance', 60_000);
        return tokens(1);
      }),
    );
    const session = await dueSession(repository);

    await expect(sut.fresh(session)).rejects.toMatchObject({
      code: 'SESSION_REFRESH_BUSY',
      status: 503,
    });
    expect((await repository.loadKey(session.key))?.record.refreshToken).toBe('refresh-0');
  });

  it('should answer a waiter that times out with 503 SESSION_REFRESH_BUSY, keeping the session', async () => {
    const refreshGrant = jest.fn();
    // Once counting, the clock jumps past the waiter's deadline after its first looks.
    let reads: number | undefined;
    const clock = {
      now: () => Date.now() + (reads !== undefined && reads++ > 3 ? 10 * 60_000 : 0),
    };
    const { sut, repository } = instance(store, refreshGrant, undefined, clock);
    const session = await dueSession(repository);
    await store.setIfAbsent(storeKeys.refreshLock(session.key), 'stuck-instance', 600_000);
    reads = 0;

    await expect(sut.fresh(session)).rejects.toMatchObject({
      code: 'SESSION_REFRESH_BUSY',
      status: 503,
    });
    expect(refreshGrant).not.toHaveBeenCalled();
    reads = undefined;
    expect(await repository.loadKey(session.key)).toBeDefined();
  });

  it('should keep serving a still-valid token while Keycloak is unreachable', async () => {
    const down = new IdpUnavailableError('token', 'ECONNREFUSED');
    const { sut, repository } = instance(store, jest.fn().mockRejectedValue(down));
    const session = await dueSession(repository);

    expect((await sut.fresh(session)).record.accessToken).toBe('access-0');
    expect(await repository.loadKey(session.key)).toBeDefined();
  });

  it('should pass the outage on once the token has expired, keeping the session', async () => {
    const down = new IdpUnavailableError('token', 'ECONNREFUSED');
    const { sut, repository } = instance(store, jest.fn().mockRejectedValue(down));
    const session = await dueSession(repository);
    await expire(repository, session);

    await expect(sut.fresh(session)).rejects.toBe(down);
    expect(await repository.loadKey(session.key)).toBeDefined();
  });
});

import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock/clock';
import { sessionConfig } from '../config/session.config';
import type { KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import { MetricsService } from '../common/metrics/metrics.service';
import type { IdTokenClaims, LogoutTokenClaims } from './oidc-token.verifier';
import { parseRefreshFailure, type RefreshFailure } from './refresh-failure';
import { userClaimsOf } from './session-claims';
import { isTouchDue, sessionEndOf, storeTtlOf } from './session-expiry';
import { randomId, SESSION_KEY_PREFIX, storeKeys } from './session-ids';
import { SessionSealer } from './session-sealer';
import type { LoadedSession, SessionRecord } from './session.types';
import { SESSION_STORE, type SessionStore } from './store/session-store';

/** A refresh lock this instance holds: only its holder can store under it (see save). */
export interface RefreshLease {
  readonly key: string;
  readonly owner: string;
}

/**
 * What withRefreshLock did: ran the function under the lock, or found the lock taken (by
 * `holder`, the lease's owner, unless it was released before it could be read).
 */
export type Locked<T> = { held: true; value: T } | { held: false; holder?: string };

/**
 * Server-side sessions: create, load, save, destroy, the sid/sub indexes back-channel logout
 * needs, the per-session refresh lock and the replay markers of logout tokens. Records are
 * sealed, bound to their key. The session store's one door: services never touch the store.
 */
@Injectable()
export class SessionRepository implements OnModuleDestroy {
  constructor(
    private readonly clock: Clock,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly sealer: SessionSealer,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const { countLive } = store;
    if (metrics && countLive && config.enabled) {
      // Read at scrape time only.
      metrics.sampleAtScrape(() =>
        metrics.sessionsActive(countLive.call(store, SESSION_KEY_PREFIX)),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }

  /** A new session (a new id: login never reuses an old one, against session fixation). */
  async create(tokens: KeycloakTokenResponse, idClaims: IdTokenClaims): Promise<string> {
    const now = this.clock.now();
    const record: SessionRecord = {
      sub: idClaims.sub,
      sid: idClaims.sid,
      ...tokenFields(tokens, now),
      idToken: tokens.id_token,
      createdAt: now,
      userClaims: userClaimsOf(idClaims),
    };
    const id = randomId();
    const key = storeKeys.session(id);
    const ttl = storeTtlOf(record, now, this.config);
    await this.store.set(key, this.sealer.seal(record, key), ttl);
    await this.store.set(storeKeys.seen(key), String(now), this.config.idleTimeoutMs);
    if (record.sid) {
      await this.store.addToIndex(storeKeys.sidIndex(record.sid), key, ttl);
    }
    await this.store.addToIndex(storeKeys.subIndex(record.sub), key, ttl);
    return id;
  }

  /** The session for a cookie value, or undefined when unknown, expired or unreadable. */
  async load(id: string): Promise<LoadedSession | undefined> {
    return this.loadKey(storeKeys.session(id));
  }

  async loadKey(key: string): Promise<LoadedSession | undefined> {
    const [sealed, seen] = await Promise.all([
      this.store.get(key),
      this.store.get(storeKeys.seen(key)),
    ]);
    const record = sealed === undefined ? undefined : this.sealer.open<SessionRecord>(sealed, key);
    if (!record || seen === undefined) {
      return undefined;
    }
    const session = { key, record, lastSeenAt: Number(seen) };
    if (sessionEndOf(session, this.config) <= this.clock.now()) {
      await this.destroy(key);
      // Past its idle or absolute limit (the store's own expiry removes the rest unseen).
      this.metrics?.sessionEnded('expired');
      return undefined;
    }
    return session;
  }

  /**
   * Stores a changed record of an existing session; false (nothing written) when the session
   * has ended meanwhile, so that a late refresh cannot resurrect a logged-out session. With
   * `lock`, only while that refresh lock is still ours.
   */
  async save(
    { key, record }: Pick<LoadedSession, 'key' | 'record'>,
    lock?: RefreshLease,
  ): Promise<boolean> {
    const sealed = this.sealer.seal(record, key);
    const ttl = storeTtlOf(record, this.clock.now(), this.config);
    return lock
      ? this.store.replaceWhileLocked(key, sealed, ttl, lock.key, lock.owner)
      : this.store.replace(key, sealed, ttl);
  }

  async destroy(key: string): Promise<void> {
    await Promise.all([this.store.delete(key), this.store.delete(storeKeys.seen(key))]);
  }

  /** The record after a refresh grant. */
  withTokens(record: SessionRecord, tokens: KeycloakTokenResponse): SessionRecord {
    return {
      ...record,
      ...tokenFields(tokens, this.clock.now()),
      // Keycloak may omit a new ID token or refresh token on refresh; keep the old ones then.
      refreshToken: tokens.refresh_token ?? record.refreshToken,
      idToken: tokens.id_token ?? record.idToken,
    };
  }

  /**
   * Marks the session as used. The time lives beside the record, not in it, so that touching
   * never writes back a record whose tokens another request has just refreshed; and it is
   * written at most once per tenth of the idle timeout, not on every request.
   */
  async touch(session: LoadedSession): Promise<void> {
    const now = this.clock.now();
    if (isTouchDue(session.lastSeenAt, now, this.config.idleTimeoutMs)) {
      // Only while the session lives: a touch after logout must not bring it back.
      await this.store.replace(storeKeys.seen(session.key), String(now), this.config.idleTimeoutMs);
    }
  }

  /**
   * Runs `fn` holding the session's refresh lock, shared by every instance on the store (Redis
   * `SET NX PX`): a lease of `leaseMs`, so that a holder that died frees it, released only by
   * its holder. Answers `{ held: false }` with the holder, without running `fn`, while another
   * holds it.
   */
  async withRefreshLock<T>(
    sessionKey: string,
    leaseMs: number,
    fn: (lease: RefreshLease) => Promise<T>,
  ): Promise<Locked<T>> {
    const lease: RefreshLease = { key: storeKeys.refreshLock(sessionKey), owner: randomId() };
    if (!(await this.store.setIfAbsent(lease.key, lease.owner, leaseMs))) {
      return { held: false, holder: await this.store.get(lease.key) };
    }
    try {
      return { held: true, value: await fn(lease) };
    } finally {
      await this.store.deleteIfEquals(lease.key, lease.owner);
    }
  }

  /**
   * Tells those waiting for the refresh under `lease` that it failed, and how, for `ttlMs`: they
   * take that outcome instead of sending a grant of their own with the same refresh token.
   */
  async recordRefreshFailure(
    sessionKey: string,
    lease: RefreshLease,
    failure: RefreshFailure,
    ttlMs: number,
  ): Promise<void> {
    const value = JSON.stringify({ owner: lease.owner, failure });
    await this.store.set(storeKeys.refreshFailure(sessionKey), value, ttlMs);
  }

  /** The failure recorded for this session's refresh by the holder of one of `owners`' leases. */
  async refreshFailureOf(
    sessionKey: string,
    owners: ReadonlySet<string>,
  ): Promise<RefreshFailure | undefined> {
    const stored = await this.store.get(storeKeys.refreshFailure(sessionKey));
    if (stored === undefined) {
      return undefined;
    }
    try {
      const { owner, failure } = JSON.parse(stored) as { owner?: unknown; failure?: unknown };
      return typeof owner === 'string' && owners.has(owner)
        ? parseRefreshFailure(failure)
        : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Remembers a token id for `ttlMs`, across instances: true the first time, false for a
   * token already seen (a replay).
   */
  rememberOnce(jti: string, ttlMs: number): Promise<boolean> {
    return this.store.setIfAbsent(storeKeys.usedTokenId(jti), '1', ttlMs);
  }

  /** Ends the sessions a back-channel logout token names; returns how many there were. */
  async destroyFor(claims: LogoutTokenClaims): Promise<number> {
    const keys = new Set<string>();
    if (claims.sid) {
      (await this.store.takeIndex(storeKeys.sidIndex(claims.sid))).forEach((k) => keys.add(k));
    } else if (claims.sub) {
      // Only sub: every session of the user ends (Back-Channel Logout §2.4).
      (await this.store.takeIndex(storeKeys.subIndex(claims.sub))).forEach((k) => keys.add(k));
    }
    let ended = 0;
    for (const key of keys) {
      if (await this.store.get(key)) {
        ended++;
      }
      await this.destroy(key);
    }
    return ended;
  }
}

/** The token fields of a record, from a token response received at `now`. */
function tokenFields(
  tokens: KeycloakTokenResponse,
  now: number,
): Pick<
  SessionRecord,
  'accessToken' | 'accessExpiresAt' | 'accessLifetimeMs' | 'refreshToken' | 'refreshExpiresAt'
> {
  return {
    accessToken: tokens.access_token,
    accessExpiresAt: now + tokens.expires_in * 1000,
    accessLifetimeMs: tokens.expires_in * 1000,
    refreshToken: tokens.refresh_token,
    // Keycloak says 0 for offline tokens, which have no fixed end.
    refreshExpiresAt: tokens.refresh_expires_in
      ? now + tokens.refresh_expires_in * 1000
      : undefined,
  };
}

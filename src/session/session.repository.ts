import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock/clock';
import { sessionConfig } from '../config/session.config';
import type { KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import type { IdTokenClaims, LogoutTokenClaims } from './oidc-token.verifier';
import { SessionCipher } from './session-cipher';
import type { LoadedSession, LoginTransaction, SessionRecord } from './session.types';
import { LOGIN_TRANSACTION_PREFIX, SESSION_STORE, type SessionStore } from './store/session-store';

// Protocol claims of the ID token that say nothing about the user.
const PROTOCOL_CLAIMS = [
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nbf',
  'jti',
  'nonce',
  'at_hash',
  'c_hash',
  'azp',
  'typ',
  'sid',
  'session_state',
  'acr',
];

/** 256 random bits, URL-safe: session ids, transaction ids, state, nonce, PKCE verifier. */
export const randomId = (): string => randomBytes(32).toString('base64url');

// The store never sees a session id, only its hash: reading the store does not yield cookies.
const hashed = (id: string): string => createHash('sha256').update(id).digest('base64url');

/**
 * Server-side sessions: create, load, save, destroy, and the sid/sub indexes back-channel
 * logout needs. Records are sealed with the cipher, bound to their key.
 */
@Injectable()
export class SessionRepository implements OnModuleDestroy {
  private readonly cipher?: SessionCipher;

  constructor(
    private readonly clock: Clock,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {
    this.cipher =
      config.encryptionKeys.length > 0 ? new SessionCipher(config.encryptionKeys) : undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }

  /** A new session (a new id: login never reuses an old one, against session fixation). */
  async create(tokens: KeycloakTokenResponse, idClaims: IdTokenClaims): Promise<string> {
    const now = this.clock.now();
    const userClaims = Object.fromEntries(
      Object.entries(idClaims).filter(([claim]) => !PROTOCOL_CLAIMS.includes(claim)),
    );
    const record: SessionRecord = {
      sub: idClaims.sub,
      sid: idClaims.sid,
      ...this.tokenFields(tokens, now),
      idToken: tokens.id_token,
      createdAt: now,
      userClaims,
    };
    const id = randomId();
    const key = `s:${hashed(id)}`;
    await this.store.set(key, this.seal(record, key), this.ttlOf(record));
    await this.store.set(`seen:${key}`, String(now), this.config.idleTimeoutMs);
    const ttl = this.ttlOf(record);
    if (record.sid) {
      await this.store.addToIndex(`sid:${record.sid}`, key, ttl);
    }
    await this.store.addToIndex(`sub:${record.sub}`, key, ttl);
    return id;
  }

  /** The session for a cookie value, or undefined when unknown, expired or unreadable. */
  async load(id: string): Promise<LoadedSession | undefined> {
    const key = `s:${hashed(id)}`;
    return this.loadKey(key);
  }

  async loadKey(key: string): Promise<LoadedSession | undefined> {
    const [sealed, seen] = await Promise.all([this.store.get(key), this.store.get(`seen:${key}`)]);
    const record = sealed === undefined ? undefined : this.open<SessionRecord>(sealed, key);
    if (!record || seen === undefined) {
      return undefined;
    }
    const session = { key, record, lastSeenAt: Number(seen) };
    if (this.expiresAt(session) <= this.clock.now()) {
      await this.destroy(key);
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
    lock?: { key: string; owner: string },
  ): Promise<boolean> {
    const sealed = this.seal(record, key);
    const ttl = this.ttlOf(record);
    return lock
      ? this.store.replaceWhileLocked(key, sealed, ttl, lock.key, lock.owner)
      : this.store.replace(key, sealed, ttl);
  }

  async destroy(key: string): Promise<void> {
    await Promise.all([this.store.delete(key), this.store.delete(`seen:${key}`)]);
  }

  /** The record after a refresh grant. */
  withTokens(record: SessionRecord, tokens: KeycloakTokenResponse): SessionRecord {
    return {
      ...record,
      ...this.tokenFields(tokens, this.clock.now()),
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
    if (now - session.lastSeenAt >= this.config.idleTimeoutMs / 10) {
      await this.markSeen(session.key, now);
    }
  }

  /** Ends the sessions a back-channel logout token names; returns how many there were. */
  async destroyFor(claims: LogoutTokenClaims): Promise<number> {
    const keys = new Set<string>();
    if (claims.sid) {
      (await this.store.takeIndex(`sid:${claims.sid}`)).forEach((k) => keys.add(k));
    } else if (claims.sub) {
      // Only sub: every session of the user ends (Back-Channel Logout §2.4).
      (await this.store.takeIndex(`sub:${claims.sub}`)).forEach((k) => keys.add(k));
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

  /** When the session ends: the earliest of idle, absolute and refresh-token expiry. */
  expiresAt({ record, lastSeenAt }: Pick<LoadedSession, 'record' | 'lastSeenAt'>): number {
    return Math.min(lastSeenAt + this.config.idleTimeoutMs, this.hardEnd(record));
  }

  /**
   * A pending login, for SESSION_LOGIN_TIMEOUT_S, counted against its client IP: past
   * SESSION_LOGIN_PENDING_PER_IP that IP's oldest pending login goes, so a client starting
   * logins in a loop cannot crowd out anyone else's.
   */
  async saveLogin(tx: LoginTransaction, clientIp: string): Promise<string> {
    const id = randomId();
    const key = `${LOGIN_TRANSACTION_PREFIX}${hashed(id)}`;
    await this.store.setInGroup(
      key,
      this.seal(tx, key),
      this.config.loginTimeoutMs,
      `login-ip:${hashed(clientIp)}`,
      this.config.pendingLoginsPerIp,
    );
    return id;
  }

  /** The login transaction, deleted as it is read: a callback can be used once. */
  async takeLogin(id: string): Promise<LoginTransaction | undefined> {
    const key = `${LOGIN_TRANSACTION_PREFIX}${hashed(id)}`;
    const sealed = await this.store.take(key);
    return sealed === undefined ? undefined : this.open<LoginTransaction>(sealed, key);
  }

  private tokenFields(
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

  /** The end no activity can postpone: absolute timeout or refresh-token expiry. */
  private hardEnd(record: SessionRecord): number {
    return Math.min(
      record.createdAt + this.config.absoluteTimeoutMs,
      record.refreshExpiresAt ?? Number.POSITIVE_INFINITY,
    );
  }

  private ttlOf(record: SessionRecord): number {
    return Math.max(1, this.hardEnd(record) - this.clock.now());
  }

  private async markSeen(key: string, now: number): Promise<void> {
    // Only while the session lives: a touch after logout must not bring it back.
    await this.store.replace(`seen:${key}`, String(now), this.config.idleTimeoutMs);
  }

  private seal(value: object, key: string): string {
    return this.requireCipher().encrypt(JSON.stringify(value), key);
  }

  private open<T>(sealed: string, key: string): T | undefined {
    const json = this.requireCipher().decrypt(sealed, key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  private requireCipher(): SessionCipher {
    if (!this.cipher) {
      // Config validation requires the key whenever the session mode is on.
      throw new Error('SESSION_ENCRYPTION_KEY is not set');
    }
    return this.cipher;
  }
}

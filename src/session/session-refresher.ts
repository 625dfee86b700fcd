import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config/session.config';
import { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { SessionError } from './session.errors';
import { randomId, SessionRepository } from './session.repository';
import type { LoadedSession } from './session.types';
import { SESSION_STORE, type SessionStore } from './store/session-store';

const POLL_MS = 50;

/**
 * Refreshes a session's access token shortly before it expires, once per session across all
 * instances: rotating refresh tokens make a second, concurrent refresh fail and end the session.
 * In-process callers share one promise; instances share a lock in the store (Redis `SET NX PX`)
 * with a lease, and whoever does not hold it waits and re-reads the session.
 */
@Injectable()
export class SessionRefresher {
  private readonly logger = new Logger(SessionRefresher.name);
  private readonly inFlight = new Map<string, Promise<LoadedSession>>();
  /** Refresh grants made by this instance, for tests and diagnostics. */
  grantCount = 0;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: KeycloakTokenClient,
    private readonly verifier: OidcTokenVerifier,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  /** Whether the access token is close enough to expiry to refresh it now. */
  isDue(session: LoadedSession): boolean {
    const { accessExpiresAt, accessLifetimeMs } = session.record;
    // Never more than half the lifetime early: a short-lived token would refresh on every call.
    const early = Math.min(this.config.refreshBeforeMs, accessLifetimeMs / 2);
    return accessExpiresAt - early <= this.sessions.now();
  }

  /** The session with an access token that is not due; ends the session if Keycloak refuses. */
  async fresh(session: LoadedSession): Promise<LoadedSession> {
    if (!this.isDue(session)) {
      return session;
    }
    let pending = this.inFlight.get(session.key);
    if (!pending) {
      pending = this.refreshShared(session).finally(() => this.inFlight.delete(session.key));
      this.inFlight.set(session.key, pending);
    }
    return pending;
  }

  private async refreshShared(session: LoadedSession): Promise<LoadedSession> {
    const lockKey = `lock:${session.key}`;
    const owner = randomId();
    const deadline = this.sessions.now() + 2 * this.config.refreshLockMs;
    while (this.sessions.now() < deadline) {
      // Another instance may have refreshed meanwhile: the stored record is the truth.
      const current = await this.sessions.loadKey(session.key);
      if (!current) {
        throw expired('the session ended while waiting for a refresh');
      }
      if (!this.isDue(current)) {
        return current;
      }
      if (await this.store.tryLock(lockKey, owner, this.config.refreshLockMs)) {
        try {
          return await this.refreshHeld(session.key);
        } finally {
          await this.store.unlock(lockKey, owner);
        }
      }
      await sleep(POLL_MS);
    }
    throw expired('no refresh finished within the lock lease');
  }

  /** Runs while holding the lock: re-read, refresh, store. */
  private async refreshHeld(key: string): Promise<LoadedSession> {
    const current = await this.sessions.loadKey(key);
    if (!current) {
      throw expired('the session ended while waiting for a refresh');
    }
    if (!this.isDue(current)) {
      return current;
    }
    const refreshToken = current.record.refreshToken;
    if (!refreshToken) {
      await this.sessions.destroy(key);
      throw expired('the session has no refresh token');
    }
    try {
      this.grantCount++;
      const tokens = await this.tokens.refreshGrant(refreshToken);
      await this.verifier.accessToken(tokens.access_token);
      const record = this.sessions.withTokens(current.record, tokens);
      await this.sessions.save({ key, record });
      return { ...current, record };
    } catch (err: unknown) {
      if (
        err instanceof KeycloakResponseError &&
        err.upstream?.status !== undefined &&
        err.upstream.status < 500
      ) {
        // Keycloak refused the refresh token (session ended, revoked, reused): no zombie session.
        await this.sessions.destroy(key);
        this.logger.log({
          msg: 'Session ended: Keycloak refused the refresh',
          upstream: err.upstream,
        });
        throw expired(
          `Keycloak refused the refresh (${err.upstream.error ?? err.upstream.status})`,
          err,
        );
      }
      if (current.record.accessExpiresAt > this.sessions.now()) {
        // Keycloak is unreachable but the token still works: serve it, refresh next time.
        this.logger.warn({ msg: 'Session refresh failed; using the current access token', err });
        return current;
      }
      throw err;
    }
  }
}

export function expired(why: string, cause?: unknown): SessionError {
  return new SessionError('SESSION_EXPIRED', `The session has ended: ${why}`, {
    hint: 'Log in again (GET /auth/login).',
    cause,
  });
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock/clock';
import { sessionConfig } from '../config/session.config';
import { keycloakConfig } from '../config/keycloak.config';
import { KeycloakTokenClient, type KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { refreshFailureOf, SharedRefreshFailure } from './refresh-failure';
import { SessionError } from './session.errors';
import { isRefreshDue } from './session-expiry';
import { type RefreshLease, SessionRepository } from './session.repository';
import type { LoadedSession, SessionRecord } from './session.types';
import { codeOf, MetricsService } from '../common/metrics/metrics.service';

const POLL_MS = 50;
/** Added to the lease beyond the Keycloak calls it covers: storing the result, clock jitter. */
const LEASE_MARGIN_MS = 2_000;

/**
 * Refreshes a session's access token shortly before it expires, once per session across all
 * instances: rotating refresh tokens make a second, concurrent refresh fail and end the session.
 * In-process callers share one promise; instances share the repository's refresh lock (a
 * lease), and whoever does not hold it waits and re-reads the session.
 */
@Injectable()
export class SessionRefresher {
  private readonly logger = new Logger(SessionRefresher.name);
  private readonly inFlight = new Map<string, Promise<LoadedSession>>();
  /**
   * The lock's lease. It must outlast what the holder does under it, or a second instance
   * refreshes with the same (rotating) refresh token: the refresh grant and, when the realm
   * keys rotated, a JWKS fetch, each up to KEYCLOAK_HTTP_TIMEOUT_MS. So never less than twice
   * that, whatever SESSION_REFRESH_LOCK_MS says.
   */
  readonly leaseMs: number;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: KeycloakTokenClient,
    private readonly verifier: OidcTokenVerifier,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    @Inject(keycloakConfig.KEY) keycloak: ConfigType<typeof keycloakConfig>,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.leaseMs = Math.max(config.refreshLockMs, 2 * keycloak.httpTimeoutMs + LEASE_MARGIN_MS);
  }

  /** Whether the access token is close enough to expiry to refresh it now. */
  isDue(session: LoadedSession): boolean {
    return isRefreshDue(session.record, this.clock.now(), this.config.refreshBeforeMs);
  }

  /** The session with an access token that is not due; ends the session if Keycloak refuses. */
  async fresh(session: LoadedSession): Promise<LoadedSession> {
    if (!this.isDue(session)) {
      return session;
    }
    let pending = this.inFlight.get(session.key);
    if (pending) {
      this.metrics?.singleFlightJoin('refresh');
    } else {
      pending = this.refreshShared(session).finally(() => this.inFlight.delete(session.key));
      this.inFlight.set(session.key, pending);
    }
    return pending;
  }

  private async refreshShared(session: LoadedSession): Promise<LoadedSession> {
    // Past one lease the lock is free again even if its holder died, so this is enough to get it.
    const deadline = this.clock.now() + 2 * this.leaseMs;
    // The owners of the leases this call waited for: their outcome is this call's outcome.
    const awaited = new Set<string>();
    while (this.clock.now() < deadline) {
      // Another instance may have refreshed meanwhile: the stored record is the truth.
      const current = await this.sessions.loadKey(session.key);
      if (!current) {
        throw expired('the session ended while waiting for a refresh');
      }
      if (!this.isDue(current)) {
        return current;
      }
      // The refresh waited for failed, the session kept: one grant per refresh, so take its
      // outcome rather than send the same refresh token again (Keycloak may have used it).
      const failure =
        awaited.size > 0 && (await this.sessions.refreshFailureOf(session.key, awaited));
      if (failure) {
        return this.keepCurrentOr(current, new SharedRefreshFailure(failure));
      }
      const attempt = await this.sessions.withRefreshLock(session.key, this.leaseMs, (lease) =>
        this.refreshHeld(session.key, lease),
      );
      if (attempt.held) {
        return attempt.value;
      }
      if (attempt.holder !== undefined) {
        awaited.add(attempt.holder);
      }
      await sleep(POLL_MS);
    }
    // The session is alive, only busy: no 401, and the cookie stays.
    throw busy('no refresh of this session finished in time');
  }

  /** Runs while holding the lock: re-read, refresh, store, then verify. */
  private async refreshHeld(key: string, lock: RefreshLease): Promise<LoadedSession> {
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
    let tokens: KeycloakTokenResponse;
    try {
      tokens = await this.tokens.refreshGrant(refreshToken);
    } catch (err: unknown) {
      return this.refreshRefused(err, current, lock);
    }
    this.metrics?.refresh('session', 'ok');
    const refreshed = this.sessions.withTokens(current.record, tokens);
    let verifyError: unknown;
    try {
      await this.verifier.accessToken(tokens.access_token);
    } catch (err: unknown) {
      verifyError = err;
    }
    // Keycloak has rotated the refresh token: the old one is spent, so the new one is stored
    // even when the new access token cannot be verified now (e.g. JWKS unreachable). Only a
    // verified access token replaces the old one; the next call retries the refresh.
    const record = verifyError === undefined ? refreshed : { ...refreshed, ...accessOf(current) };
    if (!(await this.sessions.save({ key, record }, lock))) {
      if (!(await this.sessions.loadKey(key))) {
        throw expired('the session ended during the refresh');
      }
      throw busy('the refresh lock expired before the new tokens were stored');
    }
    if (verifyError !== undefined) {
      return this.keepCurrentOr(current, verifyError);
    }
    return { ...current, record };
  }

  /**
   * Only `invalid_grant` means the refresh token is dead (session ended, revoked, reused): the
   * session ends, no zombie. Anything else — Keycloak down, or a 4xx such as `invalid_client`
   * after a secret rotation — is not the user's doing and keeps the session.
   */
  private async refreshRefused(
    err: unknown,
    current: LoadedSession,
    lock: RefreshLease,
  ): Promise<LoadedSession> {
    if (err instanceof KeycloakResponseError && err.upstream?.error === 'invalid_grant') {
      await this.sessions.destroy(current.key);
      this.metrics?.refresh('session', 'SESSION_EXPIRED');
      this.metrics?.sessionEnded('refresh_refused');
      this.logger.log({
        msg: 'Session ended: Keycloak refused the refresh',
        upstream: err.upstream,
      });
      throw expired(`Keycloak refused the refresh (${err.upstream.error})`, err);
    }
    const failure = this.keptSessionFailure(err);
    this.metrics?.refresh('session', codeOf(failure));
    // Before the lock is released: whoever waited for this refresh takes its outcome.
    await this.sessions
      .recordRefreshFailure(current.key, lock, refreshFailureOf(failure), this.leaseMs)
      .catch((recordErr: unknown) =>
        this.logger.warn({ msg: 'Could not record a failed refresh', err: recordErr }),
      );
    return this.keepCurrentOr(current, failure);
  }

  /** What a failed refresh that keeps the session answers. */
  private keptSessionFailure(err: unknown): unknown {
    if (err instanceof KeycloakResponseError && (err.upstream?.status ?? 500) < 500) {
      return new SessionError(
        'SESSION_REFRESH_FAILED',
        `Keycloak refused to refresh the session (${err.upstream?.error ?? err.upstream?.status}); the session is kept`,
        {
          upstream: err.upstream,
          cause: err,
          hint: 'Check the client credentials (KEYCLOAK_CLIENT_ID, KEYCLOAK_CLIENT_SECRET) and the client in Keycloak.',
        },
      );
    }
    return err;
  }

  /** While the current access token still works, serve it and retry next time; else fail. */
  private keepCurrentOr(current: LoadedSession, err: unknown): LoadedSession {
    if (current.record.accessExpiresAt > this.clock.now()) {
      this.logger.warn({ msg: 'Session refresh failed; using the current access token', err });
      return current;
    }
    throw err;
  }
}

/** The access-token fields of a record, to keep when a new access token cannot be used. */
function accessOf(
  session: LoadedSession,
): Pick<SessionRecord, 'accessToken' | 'accessExpiresAt' | 'accessLifetimeMs'> {
  const { accessToken, accessExpiresAt, accessLifetimeMs } = session.record;
  return { accessToken, accessExpiresAt, accessLifetimeMs };
}

function busy(why: string): SessionError {
  return new SessionError(
    'SESSION_REFRESH_BUSY',
    `The session is being refreshed elsewhere: ${why}`,
    {
      hint: 'Retry the request in a moment; the session is still valid.',
      headers: { 'retry-after': '1' },
    },
  );
}

export function expired(why: string, cause?: unknown): SessionError {
  return new SessionError('SESSION_EXPIRED', `The session has ended: ${why}`, {
    hint: 'Log in again (GET /auth/login).',
    cause,
  });
}

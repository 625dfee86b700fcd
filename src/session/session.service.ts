import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { seeDoctor } from '../common/doctor-check-names';
import { sessionConfig } from '../config/session.config';
import { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';
import type { SessionDto } from './dto/session.dto';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { sessionCallerOf } from './session-claims';
import { sessionEndOf } from './session-expiry';
import { SessionError } from './session.errors';
import { SessionRepository } from './session.repository';
import type { LoadedSession } from './session.types';
import { codeOf, MetricsService } from '../common/metrics/metrics.service';

/** What the session routes do besides the login flow: describe, log out, back-channel logout. */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: KeycloakTokenClient,
    private readonly verifier: OidcTokenVerifier,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** The 404 of every session route while the mode is off. */
  requireEnabled(): void {
    if (!this.config.enabled) {
      throw new SessionError(
        'SESSION_MODE_DISABLED',
        'The cookie-session mode is off on this BFF',
        {
          hint: 'Set SESSION_ENABLED=true (with SESSION_ENCRYPTION_KEY and SESSION_REDIRECT_URI).',
        },
      );
    }
  }

  async describe(session: LoadedSession): Promise<SessionDto> {
    return {
      authenticated: true,
      user: { claims: session.record.userClaims },
      roles: sessionCallerOf(session.record).roles,
      expiresAt: new Date(sessionEndOf(session, this.config)).toISOString(),
      logoutUrl: (await this.logoutUrl()) ?? null,
    };
  }

  /**
   * Ends the Keycloak session with the refresh token, then the server session. A Keycloak that
   * already ended it (4xx) is fine; one that cannot be reached is not: the caller must learn
   * that the SSO session may still be alive.
   */
  async logout(session: LoadedSession): Promise<string | null> {
    const { refreshToken } = session.record;
    if (refreshToken) {
      try {
        await this.tokens.logout(refreshToken);
      } catch (err: unknown) {
        if (!(err instanceof KeycloakResponseError) || (err.upstream?.status ?? 500) >= 500) {
          throw err;
        }
        this.logger.debug({
          msg: 'Keycloak session was already gone at logout',
          upstream: err.upstream,
        });
      }
    }
    await this.sessions.destroy(session.key);
    this.metrics?.sessionEnded('logout');
    return (await this.logoutUrl()) ?? null;
  }

  /** Drops the sessions a browser had before logging in again: the new login gets a new id. */
  async discard(previousIds: string[]): Promise<void> {
    for (const id of previousIds) {
      const previous = await this.sessions.load(id);
      if (previous) {
        await this.sessions.destroy(previous.key);
      }
    }
  }

  async backchannelLogout(logoutToken: string): Promise<number> {
    let claims: Awaited<ReturnType<OidcTokenVerifier['logoutToken']>>;
    try {
      claims = await this.verifier.logoutToken(logoutToken);
    } catch (err: unknown) {
      this.metrics?.backChannelLogout(codeOf(err));
      throw err;
    }
    this.metrics?.backChannelLogout('ok');
    if (claims.sid === undefined) {
      // Back-Channel Logout §2.4 allows it, and every session of the user ends: in every
      // browser, for one logout. Not refused, since refusing would end none.
      this.logger.warn({
        msg: 'A logout token without sid: every session of the user ends (the client\'s "Backchannel logout session required" is off)',
        code: 'BACKCHANNEL_LOGOUT_SID_MISSING',
        hint: seeDoctor('backchannelLogout'),
      });
    }
    const ended = await this.sessions.destroyFor(claims);
    this.metrics?.sessionEnded('back_channel', ended);
    this.logger.log({
      msg: 'Back-channel logout',
      sessionsEnded: ended,
      bySid: claims.sid !== undefined,
    });
    return ended;
  }

  /**
   * Keycloak's end-session URL for the browser, to clear its Keycloak cookies and come back.
   * Never with `id_token_hint`: the mode promises that no token reaches the browser, and a URL
   * is one (history, Referer, logs). RP-Initiated Logout 1.0 §2 lets `client_id` stand in for
   * it; once the SSO session is ended server-side (logout above), Keycloak then redirects to
   * `post_logout_redirect_uri` at once, without its "Do you want to log out?" page.
   */
  private logoutUrl(): Promise<string | undefined> {
    const params: Record<string, string> = {};
    if (this.config.postLogoutRedirectUri) {
      params.post_logout_redirect_uri = this.config.postLogoutRedirectUri;
    }
    return this.tokens.endSessionUrl(params);
  }
}

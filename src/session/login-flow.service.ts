import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { seeDoctor } from '../common/doctor-check-names';
import { keycloakConfig } from '../config/keycloak.config';
import { sessionConfig } from '../config/session.config';
import { KeycloakTokenClient, type KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';
import { mapTokenEndpointError } from '../keycloak/token-endpoint.errors';
import type { CallbackQueryDto } from './dto/callback-query.dto';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { checkReturnTo } from './return-to';
import { MAX_SESSION_COOKIE_VALUES } from './session-cookies';
import { SessionError } from './session.errors';
import { LoginTransactionRepository } from './login-transaction.repository';
import { randomId } from './session-ids';
import { SessionRepository } from './session.repository';
import type { LoginTransaction } from './session.types';
import { codeOf, MetricsService } from '../common/metrics/metrics.service';

/** Keycloak's `error=` answers after which a fresh login attempt is the right thing to do. */
const RESTART_ERRORS = new Set([
  'temporarily_unavailable',
  'authentication_expired',
  'login_required',
  'interaction_required',
]);

/**
 * Keycloak's answers to `prompt=none` when it would have to show a page (OIDC Core §3.1.2.6):
 * a silent login that cannot be silent goes back to the SPA with the error, not to a page.
 */
const SILENT_LOGIN_ERRORS = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

export type CallbackOutcome =
  | { kind: 'session'; sessionId: string; returnTo: string }
  | { kind: 'restart'; returnTo: string }
  /** A silent login that needs the user: back to returnTo with `error=<Keycloak's error>`. */
  | { kind: 'silent-failed'; returnTo: string };

/** What the SPA may ask of the login besides returnTo (OIDC Core §3.1.2.1). */
export interface LoginOptions {
  prompt?: 'none' | 'login';
  /** Seconds. */
  maxAge?: string;
}

/**
 * The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1) as a
 * confidential client: state, nonce and verifier live server-side in a login transaction that
 * only this browser's login cookie names, and that a callback can consume once.
 */
@Injectable()
export class LoginFlowService {
  private readonly logger = new Logger(LoginFlowService.name);

  constructor(
    private readonly sessions: SessionRepository,
    private readonly logins: LoginTransactionRepository,
    private readonly tokens: KeycloakTokenClient,
    private readonly verifier: OidcTokenVerifier,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** Where to send the browser, and the transaction id for the login cookie. */
  async start(
    rawReturnTo: string | undefined,
    clientIp: string,
    restarted = false,
    options: LoginOptions = {},
  ): Promise<{ url: string; transactionId: string }> {
    const tx: LoginTransaction = {
      state: randomId(),
      nonce: randomId(),
      codeVerifier: randomId(),
      returnTo: checkReturnTo(rawReturnTo, this.config.returnToOrigins),
      restarted,
      ...(options.prompt === 'none' ? { silent: true } : {}),
    };
    const transactionId = await this.logins.save(tx, clientIp);
    const url = await this.tokens.authorizationUrl({
      response_type: 'code',
      redirect_uri: this.config.redirectUri,
      scope: this.config.scope,
      state: tx.state,
      nonce: tx.nonce,
      code_challenge: createHash('sha256').update(tx.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
      ...(options.maxAge === undefined ? {} : { max_age: options.maxAge }),
    });
    return { url, transactionId };
  }

  /**
   * `transactionIds`: every value of the login cookie the browser sent (a bogus one placed
   * ahead of ours by a sibling host must not cost the user the login); the first that names a
   * pending login is it.
   */
  async finish(
    query: CallbackQueryDto,
    transactionIds: readonly string[],
  ): Promise<CallbackOutcome> {
    try {
      const outcome = await this.finishOnce(query, transactionIds);
      // A restart is Keycloak asking for another round trip, not a login that failed.
      if (outcome.kind === 'session') {
        this.metrics?.login('session', 'ok');
        this.metrics?.sessionCreated();
      }
      return outcome;
    } catch (err: unknown) {
      this.metrics?.login('session', codeOf(err));
      throw err;
    }
  }

  private async finishOnce(
    query: CallbackQueryDto,
    transactionIds: readonly string[],
  ): Promise<CallbackOutcome> {
    let tx: LoginTransaction | undefined;
    for (const id of transactionIds.slice(0, MAX_SESSION_COOKIE_VALUES)) {
      tx = await this.logins.take(id);
      if (tx) {
        break;
      }
    }
    if (!tx) {
      throw new SessionError(
        'LOGIN_TRANSACTION_MISSING',
        transactionIds.length === 0
          ? 'No login cookie came with the callback: the login was not started in this browser'
          : 'The login this callback belongs to was already completed or has expired (a replayed callback)',
        { hint: 'Start the login again from GET /auth/login.' },
      );
    }
    if (query.state !== tx.state) {
      throw new SessionError(
        'LOGIN_STATE_MISMATCH',
        "The callback's state is not the one this browser's login sent",
        { hint: 'Start the login again from GET /auth/login.' },
      );
    }
    if (query.error !== undefined) {
      return this.refused(query.error, query.error_description, tx);
    }
    if (query.code === undefined) {
      throw new SessionError('LOGIN_FAILED', 'The callback carries neither code nor error');
    }
    const tokens = await this.exchange(query.code, tx);
    if (!tokens.id_token) {
      throw new SessionError('ID_TOKEN_INVALID', 'Keycloak returned no ID token', {
        hint: "The scope must include openid (SESSION_SCOPES always adds it); check the client's scopes.",
      });
    }
    const idClaims = await this.verifier.idToken(tokens.id_token, tx.nonce);
    const accessClaims = await this.verifier.accessToken(tokens.access_token);
    const { clientId } = this.keycloak;
    if (typeof accessClaims.sub !== 'string') {
      throw new SessionError(
        'ACCESS_TOKEN_SUB_MISSING',
        `Keycloak's access token for client '${clientId}' has no sub`,
        {
          hint: `Since Keycloak 25 the 'basic' client scope puts sub there: add it to client '${clientId}' as a default scope. ${seeDoctor('sidAndSub')}`,
        },
      );
    }
    if (accessClaims.sub !== idClaims.sub) {
      throw new SessionError(
        'ID_TOKEN_INVALID',
        'The ID token and the access token name different users',
      );
    }
    if (idClaims.sid === undefined) {
      // The login works; its end does not: logout tokens name the session by sid.
      this.logger.warn({
        msg: 'The ID token has no sid: a back-channel logout naming this Keycloak session will not end it',
        code: 'ID_TOKEN_SID_MISSING',
        hint: seeDoctor('sidAndSub'),
      });
    }
    const sessionId = await this.sessions.create(tokens, idClaims);
    return { kind: 'session', sessionId, returnTo: tx.returnTo };
  }

  private refused(
    error: string,
    description: string | undefined,
    tx: LoginTransaction,
  ): CallbackOutcome {
    const upstream = { error, error_description: description };
    if (tx.silent && SILENT_LOGIN_ERRORS.has(error)) {
      return { kind: 'silent-failed', returnTo: withError(tx.returnTo, error) };
    }
    if (RESTART_ERRORS.has(error)) {
      // One restart, not a redirect loop between us and a Keycloak that keeps answering so.
      if (!tx.restarted) {
        return { kind: 'restart', returnTo: tx.returnTo };
      }
      throw new SessionError(
        'LOGIN_RETRY_FAILED',
        `Keycloak answered the login with '${error}' again after it was restarted once`,
        { upstream, hint: 'Try again later; if it persists, check Keycloak (its logs, load).' },
      );
    }
    if (error === 'access_denied') {
      throw new SessionError(
        'LOGIN_DENIED',
        `Keycloak denied the login${description ? `: ${description}` : ''}`,
        {
          upstream,
        },
      );
    }
    throw new SessionError('LOGIN_FAILED', `Keycloak answered the login with '${error}'`, {
      upstream,
      // What Keycloak says when the client may not use the code flow.
      ...(error === 'unauthorized_client'
        ? {
            hint: `Enable "Standard flow" on client '${this.keycloak.clientId}'. ${seeDoctor('standardFlow')}`,
          }
        : {}),
    });
  }

  private async exchange(code: string, tx: LoginTransaction): Promise<KeycloakTokenResponse> {
    try {
      return await this.tokens.authorizationCodeGrant(
        code,
        this.config.redirectUri,
        tx.codeVerifier,
      );
    } catch (err: unknown) {
      if (err instanceof KeycloakResponseError && err.upstream?.error === 'invalid_grant') {
        throw new SessionError(
          'AUTHORIZATION_CODE_INVALID',
          `Keycloak refused the authorization code: ${err.upstream.error_description ?? 'invalid_grant'}`,
          {
            upstream: err.upstream,
            cause: err,
            hint: 'Start the login again from GET /auth/login.',
          },
        );
      }
      throw mapTokenEndpointError(err, 'login', this.keycloak.clientId);
    }
  }
}

/** returnTo with `error=<code>` added to its query (before any fragment). */
export function withError(returnTo: string, error: string): string {
  const hashAt = returnTo.indexOf('#');
  const [base, fragment] =
    hashAt < 0 ? [returnTo, ''] : [returnTo.slice(0, hashAt), returnTo.slice(hashAt)];
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}error=${encodeURIComponent(error)}${fragment}`;
}

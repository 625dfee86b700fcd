import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { keycloakConfig } from '../config/keycloak.config';
import { tokenExchangeConfig } from '../config/token-exchange.config';
import { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import { TokenRejectedError } from '../keycloak/token.errors';
import { codeOf, MetricsService } from '../common/metrics/metrics.service';
import { type TokenExchangeDto, toTokenTypeUrn } from './dto/token-exchange.dto';
import type { TokenExchangeResponseDto } from './dto/token-exchange-response.dto';
import {
  type ExchangeContext,
  mapTokenExchangeError,
  TokenExchangeForbiddenError,
} from './token-exchange.errors';

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * Trades a token for a narrower one at Keycloak. The BFF's own rules (allow-listed audiences,
 * who may impersonate, which identity providers) are checked first, so a refused request never
 * reaches Keycloak; Keycloak's permissions still apply on top.
 */
@Injectable()
export class TokenExchangeService {
  constructor(
    private readonly tokens: KeycloakTokenClient,
    @Inject(tokenExchangeConfig.KEY)
    private readonly config: ConfigType<typeof tokenExchangeConfig>,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    metrics?.allowLabels('audience', config.audiences);
  }

  /** The exchange, counted by audience and outcome (the BFF's refusals included). */
  async exchange(
    user: AuthenticatedUser | undefined,
    body: TokenExchangeDto,
  ): Promise<TokenExchangeResponseDto> {
    const audience = this.audienceLabel(body.audience);
    try {
      const answer = await this.exchangeOnce(user, body);
      this.metrics?.tokenExchange(audience, 'ok');
      return answer;
    } catch (err: unknown) {
      this.metrics?.tokenExchange(audience, codeOf(err));
      throw err;
    }
  }

  /**
   * A metric label from the requested audience: the one client id, `none` or `multiple`; the
   * metrics turn a client id off the allow-list into `other`.
   */
  private audienceLabel(audience: string | string[] | undefined): string {
    const requested = audience === undefined ? [] : [audience].flat();
    if (requested.length === 0) {
      return 'none';
    }
    if (requested.length > 1) {
      return 'multiple';
    }
    return requested[0] ?? 'none';
  }

  private async exchangeOnce(
    user: AuthenticatedUser | undefined,
    body: TokenExchangeDto,
  ): Promise<TokenExchangeResponseDto> {
    const subjectToken = body.subject_token ?? user?.accessToken;
    if (subjectToken === undefined) {
      // The guard lets a request without a bearer through only when it carries an external token.
      throw new TokenRejectedError('TOKEN_MISSING', 'No bearer token in the Authorization header', {
        hint: 'Send Authorization: Bearer <access token>, or an external subject_token with subject_issuer.',
      });
    }
    const ctx = this.check(user, body);
    const params: Record<string, string | string[]> = {
      requested_token_type: ctx.requestedTokenType,
    };
    if (body.audience) params.audience = body.audience;
    if (body.scope) params.scope = body.scope;
    if (body.requested_subject) params.requested_subject = body.requested_subject;
    if (body.requested_issuer) params.requested_issuer = body.requested_issuer;
    if (body.subject_issuer) {
      params.subject_issuer = body.subject_issuer;
      params.subject_token_type = toTokenTypeUrn(body.subject_token_type ?? 'access_token');
    }
    try {
      const answer = await this.tokens.tokenExchange(subjectToken, params);
      const issued = answer.issued_token_type ?? ctx.requestedTokenType;
      // Whitelisted: Keycloak's extras (session_state, refresh_expires_in, …) stay here.
      return {
        access_token: answer.access_token,
        issued_token_type: issued,
        // A stored external token comes back without one; RFC 8693 §2.2.1 makes it required.
        token_type: answer.token_type ?? (issued === ACCESS_TOKEN_TYPE ? 'Bearer' : 'N_A'),
        expires_in: answer.expires_in,
        ...(answer.refresh_token ? { refresh_token: answer.refresh_token } : {}),
        ...(answer.scope ? { scope: answer.scope } : {}),
      };
    } catch (err: unknown) {
      throw mapTokenExchangeError(err, ctx);
    }
  }

  /** The BFF's rules, in the order an operator would look for them. */
  private check(user: AuthenticatedUser | undefined, body: TokenExchangeDto): ExchangeContext {
    if (user?.viaSession) {
      throw new TokenExchangeForbiddenError(
        'session-caller',
        'Token exchange returns tokens to the caller; in cookie-session mode tokens never reach the browser',
        "Mount the API on the BFF's proxy (API_ROUTES_FILE, docs/proxy.md): it exchanges the session's token and calls the API for the browser. API clients call /token-exchange with a bearer token.",
      );
    }
    const audiences = body.audience ?? [];
    // Without an audience, Keycloak issues a token for every audience the user can reach: the
    // opposite of narrowing, and past the allow-list.
    if (
      audiences.length === 0 &&
      !body.requested_subject &&
      !body.subject_issuer &&
      !body.requested_issuer
    ) {
      throw new TokenExchangeForbiddenError(
        'audience-required',
        'An exchange without audience would return a token for every client the user can reach',
        `Name the client the token is for in audience (one of ${this.config.audiences.join(', ') || 'TOKEN_EXCHANGE_AUDIENCES'}).`,
      );
    }
    const outside = audiences.filter((audience) => !this.config.audiences.includes(audience));
    if (outside.length > 0) {
      throw new TokenExchangeForbiddenError(
        'audience-allow-list',
        `Audience ${outside.map((a) => `'${a}'`).join(', ')} is not in the BFF's allow-list (${this.config.audiences.join(', ') || 'empty'})`,
        'Add the client id to TOKEN_EXCHANGE_AUDIENCES if the BFF should hand out tokens for it.',
      );
    }
    if (body.requested_subject !== undefined) {
      this.checkImpersonation(user);
    }
    for (const issuer of [body.subject_issuer, body.requested_issuer]) {
      if (issuer !== undefined) {
        this.checkIssuer(issuer);
      }
    }
    const issuer = body.subject_issuer ?? body.requested_issuer;
    return {
      clientId: this.keycloak.clientId,
      audiences,
      requestedTokenType: toTokenTypeUrn(body.requested_token_type ?? ACCESS_TOKEN_TYPE),
      issuer,
      kind: body.subject_issuer
        ? 'external-in'
        : body.requested_issuer
          ? 'external-out'
          : body.requested_subject
            ? 'impersonation'
            : 'standard',
    };
  }

  private checkImpersonation(user: AuthenticatedUser | undefined): void {
    const { enabled, role } = this.config.impersonation;
    if (!enabled) {
      throw new TokenExchangeForbiddenError(
        'impersonation-disabled',
        'Impersonation (requested_subject) is switched off in the BFF',
        'Set TOKEN_EXCHANGE_IMPERSONATION_ENABLED=true, and grant the legacy impersonation permissions in Keycloak.',
      );
    }
    if (!user?.roles.includes(role)) {
      throw new TokenExchangeForbiddenError(
        'impersonation-role',
        `Only callers with the '${role}' role may impersonate (requested_subject)`,
        `Give the user the '${role}' role (TOKEN_EXCHANGE_IMPERSONATION_ROLE names it).`,
      );
    }
  }

  private checkIssuer(issuer: string): void {
    const allowed = this.config.externalIssuers;
    if (allowed.length === 0) {
      throw new TokenExchangeForbiddenError(
        'external-exchange-disabled',
        'Exchanging external tokens (subject_issuer, requested_issuer) is switched off in the BFF',
        'List the identity-provider aliases in TOKEN_EXCHANGE_EXTERNAL_ISSUERS to allow it.',
      );
    }
    if (!allowed.includes(issuer)) {
      throw new TokenExchangeForbiddenError(
        'external-issuer-allow-list',
        `Identity provider '${issuer}' is not in the BFF's allow-list (${allowed.join(', ')})`,
        'Add the alias to TOKEN_EXCHANGE_EXTERNAL_ISSUERS if the BFF should exchange its tokens.',
      );
    }
  }
}

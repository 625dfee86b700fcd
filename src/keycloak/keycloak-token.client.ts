import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../config/keycloak.config';
import { type KeycloakOperation, MetricsService } from '../common/metrics/metrics.service';
import {
  type AnswerShape,
  EXCHANGE_RESPONSE,
  NO_CONTENT,
  TOKEN_RESPONSE,
  USERINFO,
} from './keycloak-answers';
import { callKeycloak } from './keycloak-http';
import { OidcDiscoveryService } from './oidc-discovery.service';

/** Keycloak's token endpoint answer (RFC 6749 §5.1 plus Keycloak's extras). */
export interface KeycloakTokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_expires_in?: number;
  token_type: string;
  id_token?: string;
  scope?: string;
  /** RFC 8693: what a token exchange issued. */
  issued_token_type?: string;
  session_state?: string;
  'not-before-policy'?: number;
}

/** A token-exchange answer: legacy exchange hands back a stored external token without a type. */
export type KeycloakExchangeResponse = Omit<KeycloakTokenResponse, 'token_type'> & {
  token_type?: string;
};

export type UserInfo = Record<string, unknown> & { sub: string };

function withQuery(endpoint: string, params: Record<string, string>): string {
  const url = new URL(endpoint);
  for (const [key, value] of Object.entries(params)) {
    url.searchParams.set(key, value);
  }
  return url.href;
}

const FORM = { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };

/**
 * The BFF's confidential client at Keycloak's token, logout and userinfo endpoints. Client
 * authentication is `client_secret_post`. Failures arrive narrowed (see keycloak.errors.ts);
 * callers map them to their own codes.
 */
@Injectable()
export class KeycloakTokenClient {
  constructor(
    private readonly http: HttpService,
    private readonly discovery: OidcDiscoveryService,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  passwordGrant(username: string, password: string, scope: string): Promise<KeycloakTokenResponse> {
    return this.token('password grant', 'password_grant', TOKEN_RESPONSE, {
      grant_type: 'password',
      username,
      password,
      scope,
    });
  }

  refreshGrant(refreshToken: string): Promise<KeycloakTokenResponse> {
    return this.token('refresh grant', 'refresh', TOKEN_RESPONSE, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  /** The code of an authorization-code flow with PKCE (RFC 7636), as the confidential client. */
  authorizationCodeGrant(
    code: string,
    redirectUri: string,
    codeVerifier: string,
  ): Promise<KeycloakTokenResponse> {
    return this.token('authorization-code grant', 'authorization_code', TOKEN_RESPONSE, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
    });
  }

  /** The browser-facing authorization endpoint with this client's id and the given parameters. */
  async authorizationUrl(params: Record<string, string>): Promise<string> {
    const { authorization_endpoint } = await this.discovery.getMetadata();
    return withQuery(authorization_endpoint, { ...params, client_id: this.config.clientId });
  }

  /** The browser-facing end-session endpoint for RP-initiated logout, if the realm has one. */
  async endSessionUrl(params: Record<string, string>): Promise<string | undefined> {
    const { end_session_endpoint } = await this.discovery.getMetadata();
    return end_session_endpoint === undefined
      ? undefined
      : withQuery(end_session_endpoint, { ...params, client_id: this.config.clientId });
  }

  /**
   * `operation` names what the token is for in errors (the Admin API's service account), `metric`
   * in the metrics.
   */
  clientCredentialsGrant(
    scope?: string,
    operation = 'client-credentials grant',
    metric: KeycloakOperation = 'client_credentials',
  ): Promise<KeycloakTokenResponse> {
    return this.token(operation, metric, TOKEN_RESPONSE, {
      grant_type: 'client_credentials',
      ...(scope ? { scope } : {}),
    });
  }

  /**
   * RFC 8693 token exchange as Keycloak implements it; the BFF's client is the requester. An
   * array value (several `audience`s) is sent as repeated parameters.
   */
  tokenExchange(
    subjectToken: string,
    params: Record<string, string | string[]> = {},
  ): Promise<KeycloakExchangeResponse> {
    return this.token('token exchange', 'exchange', EXCHANGE_RESPONSE, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      ...params,
    });
  }

  /**
   * Ends the SSO session the refresh token belongs to. Only Keycloak's 204 says it ended: any
   * other success status (a WAF's page) is an IDP_ERROR, never a logout that did not happen.
   */
  async logout(refreshToken: string): Promise<void> {
    const { endSession } = await this.discovery.getEndpoints();
    if (!endSession) {
      throw new Error('The discovery document has no end_session_endpoint');
    }
    await callKeycloak(
      { endpoint: 'logout', operation: 'logout', answer: NO_CONTENT, status: 204 },
      () => this.http.axiosRef.post(endSession, this.form({ refresh_token: refreshToken }), FORM),
      this.metrics,
    );
  }

  async userinfo(accessToken: string): Promise<UserInfo> {
    const { userinfo } = await this.discovery.getEndpoints();
    return callKeycloak(
      { endpoint: 'userinfo', operation: 'userinfo request', answer: USERINFO },
      () =>
        this.http.axiosRef.get(userinfo, {
          headers: { Authorization: `Bearer ${accessToken}` },
        }),
      this.metrics,
    );
  }

  private async token<T>(
    operation: string,
    metric: KeycloakOperation,
    answer: AnswerShape<T>,
    params: Record<string, string | string[]>,
  ): Promise<T> {
    const { token } = await this.discovery.getEndpoints();
    return callKeycloak(
      { endpoint: 'token', operation, answer, metric },
      () => this.http.axiosRef.post(token, this.form(params), FORM),
      this.metrics,
    );
  }

  private form(params: Record<string, string | string[]>): string {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        form.append(key, item);
      }
    }
    form.set('client_id', this.config.clientId);
    form.set('client_secret', this.config.clientSecret);
    return form.toString();
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../config/keycloak.config';
import { type KeycloakEndpoint, narrowKeycloakError } from './keycloak.errors';
import { OidcDiscoveryService } from './oidc-discovery.service';

/** Keycloak's first answer to an authorization request, its redirect not followed. */
export interface AuthorizationAnswer {
  status: number;
  /** The `Location` header; empty when Keycloak did not redirect. */
  location: string;
  /** The page Keycloak rendered (its login form, or an error page). */
  body: string;
}

/**
 * Sends the authorization request a browser would send at the start of the code flow, from the
 * server, to learn whether Keycloak would let this client start it. Diagnostics only (doctor):
 * the BFF itself sends browsers to the public authorization endpoint.
 */
@Injectable()
export class KeycloakAuthorizationProbe {
  constructor(
    private readonly http: HttpService,
    private readonly discovery: OidcDiscoveryService,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
  ) {}

  /**
   * The start of the code flow with this redirect URI. Any HTTP status is an answer; only a
   * failure to reach Keycloak throws (narrowed, see keycloak.errors.ts).
   */
  async probe(redirectUri: string): Promise<AuthorizationAnswer> {
    const { authorization } = await this.discovery.getEndpoints();
    return this.answer(authorization, 'authorization', {
      client_id: this.config.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      // Clients that enforce PKCE refuse a request without it before saying anything else.
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
      code_challenge_method: 'S256',
    });
  }

  /**
   * RP-initiated logout with this post-logout redirect URI and no session: Keycloak redirects
   * to a registered URI at once and shows an error page for any other.
   */
  async probeLogout(postLogoutRedirectUri: string): Promise<AuthorizationAnswer> {
    const { endSession } = await this.discovery.getEndpoints();
    if (!endSession) {
      throw new Error('The discovery document has no end_session_endpoint');
    }
    return this.answer(endSession, 'logout', {
      client_id: this.config.clientId,
      post_logout_redirect_uri: postLogoutRedirectUri,
    });
  }

  private async answer(
    url: string,
    endpoint: KeycloakEndpoint,
    params: Record<string, string>,
  ): Promise<AuthorizationAnswer> {
    try {
      const res = await this.http.axiosRef.get<string>(url, {
        params,
        // Keycloak answers a refused request with an error page or an error redirect: both are
        // what the caller wants to read.
        validateStatus: () => true,
        maxRedirects: 0,
        responseType: 'text',
      });
      return {
        status: res.status,
        location: String(res.headers.location ?? ''),
        body: String(res.data),
      };
    } catch (err: unknown) {
      throw narrowKeycloakError(err, endpoint);
    }
  }
}

/**
 * Keycloak refused the (post-logout) redirect URI as not registered on the client: a 400 page
 * saying "Invalid parameter: redirect_uri" (authorization) or "Invalid redirect uri" (logout).
 * A localised page still says 400; the text keeps other 400s (an unknown client) apart.
 */
export const refusesRedirectUri = (answer: AuthorizationAnswer): boolean =>
  answer.status === 400 && /redirect[ _]uri/i.test(answer.body);

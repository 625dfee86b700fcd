import { createHash, randomBytes } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../config/keycloak.config';
import { narrowKeycloakError } from './keycloak.errors';
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
   * Any HTTP status is an answer; only a failure to reach Keycloak throws (narrowed, see
   * keycloak.errors.ts).
   */
  async probe(redirectUri: string): Promise<AuthorizationAnswer> {
    const { authorization } = await this.discovery.getEndpoints();
    try {
      const res = await this.http.axiosRef.get<string>(authorization, {
        params: {
          client_id: this.config.clientId,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: redirectUri,
          // Clients that enforce PKCE refuse a request without it before saying anything else.
          code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
          code_challenge_method: 'S256',
        },
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
      throw narrowKeycloakError(err, 'authorization');
    }
  }
}

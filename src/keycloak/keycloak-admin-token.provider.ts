import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock/clock';
import { type AdminConfig, adminConfig } from '../config/admin.config';
import { keycloakConfig } from '../config/keycloak.config';
import { codeOf, MetricsService } from '../common/metrics/metrics.service';
import { TOKEN_RESPONSE } from './keycloak-answers';
import { callKeycloak } from './keycloak-http';
import { KeycloakTokenClient, type KeycloakTokenResponse } from './keycloak-token.client';
import { mapTokenEndpointError } from './token-endpoint.errors';

/**
 * The token for Keycloak's Admin REST API: by default the BFF's own service account
 * (client-credentials, no admin password anywhere). Cached until shortly before it expires;
 * concurrent callers share one fetch; never one grant per request.
 */
@Injectable()
export class KeycloakAdminTokenProvider {
  private cached?: { token: string; expiresAt: number };
  private inFlight?: Promise<string>;

  constructor(
    private readonly tokens: KeycloakTokenClient,
    private readonly http: HttpService,
    @Inject(adminConfig.KEY) private readonly admin: ConfigType<typeof adminConfig>,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  getToken(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.expiresAt) {
      return Promise.resolve(this.cached.token);
    }
    this.inFlight ??= this.grant().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The Admin API refused this token (revoked, key rotated): forget it if it is still the cached one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) {
      this.cached = undefined;
    }
  }

  private async grant(): Promise<string> {
    const masterAdmin = this.admin.masterAdmin;
    let response: KeycloakTokenResponse;
    try {
      response = masterAdmin
        ? await this.masterAdminGrant(masterAdmin)
        : await this.tokens.clientCredentialsGrant(
            undefined,
            "Admin API's service-account grant",
            'admin_token',
          );
    } catch (err: unknown) {
      // A refused master-admin login is about KEYCLOAK_ADMIN_*, not the BFF's client secret.
      const operation = masterAdmin ? 'master_admin' : 'client_credentials';
      const mapped = mapTokenEndpointError(err, operation, this.keycloak.clientId);
      this.metrics?.adminTokenGrant(codeOf(mapped));
      throw mapped;
    }
    this.metrics?.adminTokenGrant('ok');
    // Renew a little early, but never so early that a short-lived token is never reused.
    const skew = Math.min(this.admin.tokenExpirySkewSec, response.expires_in / 2);
    this.cached = {
      token: response.access_token,
      expiresAt: this.clock.now() + (response.expires_in - skew) * 1000,
    };
    return response.access_token;
  }

  /** The weaker alternative: a master-realm admin through admin-cli's password grant. */
  private masterAdminGrant({
    username,
    password,
  }: NonNullable<AdminConfig['masterAdmin']>): Promise<KeycloakTokenResponse> {
    const body = new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username,
      password,
    });
    return callKeycloak(
      {
        endpoint: 'token',
        operation: "Admin API's master-realm admin login",
        answer: TOKEN_RESPONSE,
        metric: 'admin_token',
      },
      () =>
        this.http.axiosRef.post(
          `${this.keycloak.url}/realms/master/protocol/openid-connect/token`,
          body.toString(),
          { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
        ),
      this.metrics,
    );
  }
}

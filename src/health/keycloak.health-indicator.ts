import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ProblemError } from '../common/errors/problem.error';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../config/keycloak.config';
import { JwksService } from '../keycloak/jwks.service';
import { OidcDiscoveryService } from '../keycloak/oidc-discovery.service';

@Injectable()
export class KeycloakHealthIndicator {
  constructor(
    private readonly discovery: OidcDiscoveryService,
    private readonly jwks: JwksService,
    private readonly indicators: HealthIndicatorService,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
  ) {}

  /** Discovery loaded and Keycloak answering now. */
  async isReady(key = 'keycloak'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.discovery.probe();
      // The cheap doctor checks (npm run doctor has them all): they explain, they do not gate.
      const { issuer } = await this.discovery.getMetadata();
      return indicator.up({
        discovery: 'loaded',
        issuer:
          issuer === this.config.expectedIssuer
            ? 'matches'
            : `MISMATCH: Keycloak says '${issuer}', tokens must carry '${this.config.expectedIssuer}' (set KEYCLOAK_PUBLIC_URL)`,
        signingKeys: this.jwks.kids.length,
      });
    } catch (err: unknown) {
      const problem = err instanceof ProblemError ? err : undefined;
      return indicator.down({
        discovery: this.discovery.isLoaded ? 'loaded' : 'not loaded',
        code: problem?.code ?? 'IDP_UNAVAILABLE',
        message: problem?.detail ?? 'Keycloak is not reachable',
      });
    }
  }
}

import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ProblemError } from '../common/errors/problem.error';
import { OidcDiscoveryService } from '../keycloak/oidc-discovery.service';

@Injectable()
export class KeycloakHealthIndicator {
  constructor(
    private readonly discovery: OidcDiscoveryService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Discovery loaded and Keycloak answering now. */
  async isReady(key = 'keycloak'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.discovery.probe();
      return indicator.up({ discovery: 'loaded' });
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

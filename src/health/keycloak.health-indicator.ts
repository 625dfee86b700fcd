import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ProblemError } from '../common/errors/problem.error';
import { keycloakConfig } from '../config/keycloak.config';
import { JwksService } from '../keycloak/jwks.service';
import { OidcDiscoveryService } from '../keycloak/oidc-discovery.service';

/**
 * How long one readiness answer is reused. Readiness is unauthenticated and each probe is a
 * round-trip to Keycloak: without this, every request to /health/ready was one discovery call
 * (an amplifier). Probes come every few seconds; a second of staleness costs them nothing.
 */
export const READY_CACHE_MS = 1000;

/** One readiness probe: in flight until `answeredAt` is set. */
interface Probe {
  result: Promise<HealthIndicatorResult>;
  answeredAt?: number;
}

@Injectable()
export class KeycloakHealthIndicator {
  private last?: Probe;

  constructor(
    private readonly discovery: OidcDiscoveryService,
    private readonly jwks: JwksService,
    private readonly indicators: HealthIndicatorService,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
  ) {}

  /**
   * Discovery loaded, Keycloak answering, and at least one signing key to verify tokens with:
   * without one every guarded request answers 503, so the BFF is not ready. One probe at a time
   * (callers share the one in flight), its answer reused for READY_CACHE_MS.
   */
  isReady(key = 'keycloak'): Promise<HealthIndicatorResult> {
    const last = this.last;
    if (last && (last.answeredAt === undefined || Date.now() - last.answeredAt < READY_CACHE_MS)) {
      return last.result;
    }
    const next: Probe = { result: this.probe(key) };
    // Counted from the answer: a slow probe is shared while it runs, then reused as any other.
    void next.result.finally(() => (next.answeredAt = Date.now()));
    this.last = next;
    return next.result;
  }

  private async probe(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.discovery.probe();
      // The cheap doctor checks (npm run doctor has them all): they explain, they do not gate.
      const { issuer } = await this.discovery.getMetadata();
      await this.signingKeys();
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
        signingKeys: this.jwks.kids.length,
      });
    }
  }

  /** With no key cached, one fetch now (single-flight in JwksService); its failure says why. */
  private async signingKeys(): Promise<void> {
    if (this.jwks.kids.length === 0) {
      await this.jwks.refresh();
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ProblemError } from '../../common/errors/problem.error';
import { keycloakConfig } from '../../config/keycloak.config';
import { OidcDiscoveryService } from '../../keycloak/oidc-discovery.service';
import { describeError } from '../doctor-errors';
import type { CheckOutcome, DoctorCheck, DoctorFindings } from './doctor-check';

/** The realm's discovery document; the checks after it need its endpoints. */
@Injectable()
export class DiscoveryCheck implements DoctorCheck {
  readonly name = 'discovery';

  constructor(
    @Inject(OidcDiscoveryService)
    private readonly discovery: Pick<OidcDiscoveryService, 'getMetadata'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<
      ConfigType<typeof keycloakConfig>,
      'realm' | 'url' | 'discoveryUrl'
    >,
  ) {}

  async run(findings: DoctorFindings): Promise<CheckOutcome> {
    const { realm, url, discoveryUrl } = this.keycloak;
    try {
      findings.metadata = await this.discovery.getMetadata();
      return { status: 'PASS', found: `Realm '${realm}' found at ${discoveryUrl}` };
    } catch (err: unknown) {
      if (err instanceof ProblemError && err.code === 'REALM_NOT_FOUND') {
        return {
          status: 'FAIL',
          found: `Realm '${realm}' does not exist at ${url}`,
          fix: 'Check KEYCLOAK_REALM (case-sensitive) or import the realm.',
        };
      }
      return {
        status: 'FAIL',
        found: describeError(err),
        fix: 'Check KEYCLOAK_URL and that Keycloak is running and reachable from this host.',
      };
    }
  }
}

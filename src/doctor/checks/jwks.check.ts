import { Inject, Injectable } from '@nestjs/common';
import { JwksService } from '../../keycloak/jwks.service';
import { OidcDiscoveryService } from '../../keycloak/oidc-discovery.service';
import { describeError } from '../doctor-errors';
import type { CheckOutcome, DoctorCheck, DoctorFindings } from './doctor-check';

/**
 * The realm's signing keys load and parse. Tried even when discovery failed, at the
 * conventional URL: a WAF that refuses one request usually refuses both, and the 403 says so.
 */
@Injectable()
export class JwksCheck implements DoctorCheck {
  readonly name = 'jwks';

  constructor(
    @Inject(OidcDiscoveryService)
    private readonly discovery: Pick<OidcDiscoveryService, 'getEndpoints' | 'conventionalJwksUri'>,
    @Inject(JwksService) private readonly jwks: Pick<JwksService, 'loadFrom'>,
  ) {}

  async run({ metadata }: DoctorFindings): Promise<CheckOutcome> {
    const uri = metadata
      ? (await this.discovery.getEndpoints()).jwks
      : this.discovery.conventionalJwksUri;
    try {
      const keys = await this.jwks.loadFrom(uri);
      const algorithms = [...new Set(keys.map((k) => k.alg))].join(', ');
      return { status: 'PASS', found: `${keys.length} signing key(s) (${algorithms}) at ${uri}` };
    } catch (err: unknown) {
      return {
        status: 'FAIL',
        found: `${describeError(err)}${metadata ? '' : ' (URL guessed: discovery failed)'}`,
        fix: 'A WAF or proxy refusing the request (403), a wrong KEYCLOAK_URL or a realm without RS/ES keys are the usual causes.',
      };
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../../config/keycloak.config';
import type { CheckOutcome, DoctorCheck, DoctorFindings } from './doctor-check';

/** The realm's issuer is the one every token must carry (KEYCLOAK_PUBLIC_URL + realm). */
@Injectable()
export class IssuerCheck implements DoctorCheck {
  readonly name = 'issuer';

  constructor(
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'expectedIssuer'>,
  ) {}

  run({ metadata }: DoctorFindings): CheckOutcome {
    if (!metadata) {
      return { status: 'SKIP', found: 'Needs the discovery document' };
    }
    const expected = this.keycloak.expectedIssuer;
    if (metadata.issuer === expected) {
      return { status: 'PASS', found: `Issuer ${metadata.issuer}` };
    }
    const publicUrl = metadata.issuer.replace(/\/realms\/[^/]+$/, '');
    return {
      status: 'FAIL',
      found: `Keycloak says issuer '${metadata.issuer}' but the BFF expects '${expected}'; every token would be rejected (TOKEN_ISSUER_MISMATCH)`,
      fix: `Set KEYCLOAK_PUBLIC_URL=${publicUrl} (the URL in the issuer), or fix Keycloak's hostname setting.`,
    };
  }
}

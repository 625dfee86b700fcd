import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import type { CheckOutcome, DoctorCheck, DoctorFindings } from './doctor-check';

/**
 * The realm's issuer is the one every token must carry (KEYCLOAK_PUBLIC_URL + realm). When it is
 * not, the realm's Frontend URL is the usual cause, and the one kcadm.sh can set.
 */
@Injectable()
export class IssuerCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.issuer;

  constructor(
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<
      ConfigType<typeof keycloakConfig>,
      'expectedIssuer' | 'publicUrl' | 'realm'
    >,
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'realm'>,
  ) {}

  async run({ metadata }: DoctorFindings): Promise<CheckOutcome> {
    if (!metadata) {
      return { status: 'SKIP', found: 'Needs the discovery document' };
    }
    const expected = this.keycloak.expectedIssuer;
    if (metadata.issuer === expected) {
      return { status: 'PASS', found: `Issuer ${metadata.issuer}` };
    }
    const found = `Keycloak says issuer '${metadata.issuer}' but the BFF expects '${expected}'; every token would be rejected (TOKEN_ISSUER_MISMATCH)`;
    const publicUrl = metadata.issuer.replace(/\/realms\/[^/]+$/, '');
    // Unreadable settings only cost the row its kcadm.sh command.
    const frontendUrl = (await this.settings.realm().catch(() => undefined))?.attributes
      .frontendUrl;
    if (!frontendUrl) {
      return {
        status: 'FAIL',
        found,
        fix: `Set KEYCLOAK_PUBLIC_URL=${publicUrl} (the URL in the issuer), or fix Keycloak's hostname setting.`,
        code: 'TOKEN_ISSUER_MISMATCH',
      };
    }
    return {
      status: 'FAIL',
      found: `${found}: the realm's Frontend URL is ${frontendUrl}`,
      fix: `If browsers reach Keycloak at ${this.keycloak.publicUrl}, set the realm's Frontend URL to it (Realm settings → General); if ${frontendUrl} is right, set KEYCLOAK_PUBLIC_URL=${publicUrl}.`,
      code: 'TOKEN_ISSUER_MISMATCH',
      kcadm: [
        kcadm.updateRealm(this.keycloak.realm, {
          'attributes.frontendUrl': this.keycloak.publicUrl,
        }),
      ],
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { adminConfig } from '../../config/admin.config';
import { keycloakConfig } from '../../config/keycloak.config';
import { KeycloakSettings, lightweightSkip } from '../keycloak-settings';
import { type CheckOutcome, claimsOf, type DoctorCheck, type DoctorFindings } from './doctor-check';

/** The admin endpoints' Keycloak calls need these realm-management roles on the service account. */
const REQUIRED_ROLES = ['view-users', 'query-users'];

/** With ADMIN_TOKEN_MODE=service-account, the service account may look users up. */
@Injectable()
export class ServiceAccountRolesCheck implements DoctorCheck {
  readonly name = 'service account roles';

  constructor(
    @Inject(adminConfig.KEY)
    private readonly admin: Pick<ConfigType<typeof adminConfig>, 'tokenMode'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'clientId'>,
    @Inject(KeycloakSettings)
    private readonly settings: Pick<KeycloakSettings, 'lightweightAccessTokens'>,
  ) {}

  async run({ serviceToken }: DoctorFindings): Promise<CheckOutcome> {
    if (this.admin.tokenMode !== 'service-account') {
      return { status: 'SKIP', found: `ADMIN_TOKEN_MODE=${this.admin.tokenMode}` };
    }
    if (!serviceToken) {
      return { status: 'SKIP', found: 'Needs a service-account token' };
    }
    const { clientId } = this.keycloak;
    const claims = claimsOf(serviceToken);
    if (!claims?.resource_access && (await this.settings.lightweightAccessTokens())) {
      return { status: 'SKIP', found: lightweightSkip };
    }
    const roles = claims?.resource_access?.['realm-management']?.roles ?? [];
    const missing = REQUIRED_ROLES.filter((r) => !roles.includes(r));
    return missing.length
      ? {
          status: 'FAIL',
          found: `service-account-${clientId} lacks realm-management ${missing.join(' and ')}`,
          fix: `Grant realm-management ${missing.join(', ')} to service-account-${clientId} (Clients → ${clientId} → Service accounts roles).`,
        }
      : { status: 'PASS', found: `service-account-${clientId} has view-users and query-users` };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import type { KeycloakClientSettings } from '../../keycloak/keycloak-admin.client';
import { attribute, kcadm } from '../kcadm';
import { KeycloakSettings, LIGHTWEIGHT_ATTRIBUTE } from '../keycloak-settings';
import type { CheckOutcome, DoctorCheck } from './doctor-check';

/**
 * "Always use lightweight access token" on the client: Keycloak leaves aud, roles and the user's
 * claims out of the JWT and expects resource servers to introspect it. Nothing here introspects:
 * the BFF, and the APIs behind it, read those claims from the token itself.
 * https://www.keycloak.org/docs/latest/server_admin/#_using_lightweight_access_token
 */
@Injectable()
export class LightweightTokensCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.lightweightTokens;

  constructor(
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'withClient'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
  ) {}

  run(): Promise<CheckOutcome> {
    return this.settings.withClient((client) => this.judge(client));
  }

  private judge(client: KeycloakClientSettings): CheckOutcome {
    const { realm, clientId } = this.keycloak;
    if (client.attributes[LIGHTWEIGHT_ATTRIBUTE] !== 'true') {
      return { status: 'PASS', found: `Client '${clientId}' issues full access tokens` };
    }
    return {
      status: 'FAIL',
      found: `Client '${clientId}' issues lightweight access tokens (no aud, roles or user claims in the JWT), and nothing here introspects them`,
      fix: `Turn "Always use lightweight access token" off on client '${clientId}' (Advanced tab): the BFF and the APIs behind it read aud, roles and sub from the JWT.`,
      kcadm: [kcadm.updateClient(realm, client.id, { [attribute(LIGHTWEIGHT_ATTRIBUTE)]: false })],
      code: 'TOKEN_AUDIENCE_MISMATCH',
    };
  }
}

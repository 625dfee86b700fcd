import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { authConfig } from '../../config/auth.config';
import { keycloakConfig } from '../../config/keycloak.config';
import type { KeycloakClientSettings } from '../../keycloak/keycloak-admin.client';
import { attribute, kcadm } from '../kcadm';
import { KeycloakSettings, LIGHTWEIGHT_ATTRIBUTE } from '../keycloak-settings';
import type { CheckOutcome, DoctorCheck } from './doctor-check';

/**
 * "Always use lightweight access token" on the client: Keycloak leaves aud, roles and the user's
 * claims out of the JWT and expects resource servers to introspect it. With AUTH_INTROSPECTION
 * off nothing here introspects: the guard reads those claims from the token itself and refuses
 * it. With `fallback` or `always` the guard introspects it (docs/introspection.md).
 * https://www.keycloak.org/docs/latest/server_admin/#_using_lightweight_access_token
 */
@Injectable()
export class LightweightTokensCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.lightweightTokens;

  constructor(
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'withClient'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(authConfig.KEY)
    private readonly auth: Pick<ConfigType<typeof authConfig>, 'introspection'>,
  ) {}

  run(): Promise<CheckOutcome> {
    return this.settings.withClient((client) => this.judge(client));
  }

  private judge(client: KeycloakClientSettings): CheckOutcome {
    const { realm, clientId } = this.keycloak;
    if (client.attributes[LIGHTWEIGHT_ATTRIBUTE] !== 'true') {
      return { status: 'PASS', found: `Client '${clientId}' issues full access tokens` };
    }
    const { mode } = this.auth.introspection;
    if (mode !== 'off') {
      return {
        status: 'PASS',
        found: `Client '${clientId}' issues lightweight access tokens; AUTH_INTROSPECTION=${mode} introspects them`,
      };
    }
    return {
      status: 'FAIL',
      found: `Client '${clientId}' issues lightweight access tokens (no aud, roles or user claims in the JWT), and AUTH_INTROSPECTION is off, so nothing here introspects them`,
      fix: `Set AUTH_INTROSPECTION=fallback (docs/introspection.md), or turn "Always use lightweight access token" off on client '${clientId}' (Advanced tab): with introspection off, the BFF and the APIs behind it read aud, roles and sub from the JWT.`,
      kcadm: [kcadm.updateClient(realm, client.id, { [attribute(LIGHTWEIGHT_ATTRIBUTE)]: false })],
      code: 'TOKEN_AUDIENCE_MISMATCH',
    };
  }
}

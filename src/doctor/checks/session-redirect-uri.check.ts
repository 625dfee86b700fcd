import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { sessionConfig } from '../../config/session.config';
import { KeycloakAuthorizationProbe } from '../../keycloak/keycloak-authorization.probe';
import { kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import {
  type CheckOutcome,
  type DoctorCheck,
  type DoctorFindings,
  SESSION_MODE_OFF,
} from './doctor-check';
import { redirectUriRow } from './redirect-uri-probe';

/**
 * SESSION_REDIRECT_URI is a valid redirect URI of the client, asked the way a browser would:
 * otherwise Keycloak shows its "Invalid parameter: redirect_uri" page instead of the login form.
 */
@Injectable()
export class SessionRedirectUriCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.sessionRedirectUri;

  constructor(
    @Inject(KeycloakAuthorizationProbe)
    private readonly authorization: Pick<KeycloakAuthorizationProbe, 'probe'>,
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'client'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<ConfigType<typeof sessionConfig>, 'enabled' | 'redirectUri'>,
  ) {}

  async run({ metadata }: DoctorFindings): Promise<CheckOutcome> {
    if (!this.session.enabled) {
      return SESSION_MODE_OFF;
    }
    if (!metadata) {
      return { status: 'SKIP', found: 'Needs the discovery document' };
    }
    const uri = this.session.redirectUri;
    return redirectUriRow(
      () => this.authorization.probe(uri),
      `Client '${this.keycloak.clientId}' accepts ${uri}`,
      () => this.refused(uri),
    );
  }

  private async refused(uri: string): Promise<CheckOutcome> {
    const { realm, clientId } = this.keycloak;
    const client = await this.settings.client().catch(() => undefined);
    return {
      status: 'FAIL',
      found: `Client '${clientId}' does not accept SESSION_REDIRECT_URI ${uri}: Keycloak shows "Invalid parameter: redirect_uri" instead of its login page`,
      code: 'REDIRECT_URI_NOT_REGISTERED',
      fix: `Add ${uri} to the Valid redirect URIs of client '${clientId}' (or set SESSION_REDIRECT_URI to one of them).`,
      ...(client
        ? {
            kcadm: [
              kcadm.updateClient(realm, client.id, { redirectUris: [...client.redirectUris, uri] }),
            ],
          }
        : {}),
    };
  }
}

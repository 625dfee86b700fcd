import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { sessionConfig } from '../../config/session.config';
import { KeycloakAuthorizationProbe } from '../../keycloak/keycloak-authorization.probe';
import { attribute, kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import {
  type CheckOutcome,
  type DoctorCheck,
  type DoctorFindings,
  SESSION_MODE_OFF,
} from './doctor-check';
import { redirectUriRow } from './redirect-uri-probe';

/** Keycloak keeps the client's valid post-logout redirect URIs in one attribute, `##`-separated. */
const POST_LOGOUT_URIS = 'post.logout.redirect.uris';

/**
 * SESSION_POST_LOGOUT_REDIRECT_URI is a valid post-logout redirect URI of the client: otherwise
 * the browser that follows the session's logoutUrl ends on Keycloak's "Invalid redirect uri" page.
 */
@Injectable()
export class PostLogoutRedirectUriCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.postLogoutRedirectUri;

  constructor(
    @Inject(KeycloakAuthorizationProbe)
    private readonly authorization: Pick<KeycloakAuthorizationProbe, 'probeLogout'>,
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'client'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<
      ConfigType<typeof sessionConfig>,
      'enabled' | 'postLogoutRedirectUri'
    >,
  ) {}

  async run({ metadata }: DoctorFindings): Promise<CheckOutcome> {
    const uri = this.session.postLogoutRedirectUri;
    if (!this.session.enabled) {
      return SESSION_MODE_OFF;
    }
    if (!uri) {
      return {
        status: 'SKIP',
        found:
          'SESSION_POST_LOGOUT_REDIRECT_URI is not set (Keycloak shows its own page after logout)',
      };
    }
    if (!metadata) {
      return { status: 'SKIP', found: 'Needs the discovery document' };
    }
    return redirectUriRow(
      () => this.authorization.probeLogout(uri),
      `Client '${this.keycloak.clientId}' accepts ${uri} after logout`,
      () => this.refused(uri),
    );
  }

  private async refused(uri: string): Promise<CheckOutcome> {
    const { realm, clientId } = this.keycloak;
    const client = await this.settings.client().catch(() => undefined);
    const registered = (client?.attributes[POST_LOGOUT_URIS] ?? '').split('##').filter(Boolean);
    return {
      status: 'FAIL',
      found: `Client '${clientId}' does not accept SESSION_POST_LOGOUT_REDIRECT_URI ${uri}: after logout the browser ends on Keycloak's "Invalid redirect uri" page`,
      fix: `Add ${uri} to the Valid post logout redirect URIs of client '${clientId}'.`,
      ...(client
        ? {
            kcadm: [
              kcadm.updateClient(realm, client.id, {
                [attribute(POST_LOGOUT_URIS)]: [...registered, uri].join('##'),
              }),
            ],
          }
        : {}),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { sessionConfig } from '../../config/session.config';
import type { KeycloakClientSettings } from '../../keycloak/keycloak-admin.client';
import { attribute, kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import { type CheckOutcome, type DoctorCheck, SESSION_MODE_OFF } from './doctor-check';

const URL_ATTRIBUTE = 'backchannel.logout.url';
const SESSION_REQUIRED_ATTRIBUTE = 'backchannel.logout.session.required';
const CALLBACK_PATH = '/auth/callback';
const BACKCHANNEL_PATH = '/auth/backchannel-logout';

/**
 * This BFF's back-channel logout endpoint, beside its callback (SESSION_REDIRECT_URI): the same
 * origin and path prefix.
 */
export function backchannelLogoutUrl(redirectUri: string): string {
  const url = new URL(redirectUri);
  const base = url.pathname.endsWith(CALLBACK_PATH)
    ? url.pathname.slice(0, -CALLBACK_PATH.length)
    : '';
  return `${url.origin}${base}${BACKCHANNEL_PATH}`;
}

/**
 * The client's back-channel logout (OpenID Connect Back-Channel Logout 1.0): a URL pointing at
 * this BFF's /auth/backchannel-logout, so that a session ended in Keycloak (logout elsewhere, an
 * admin, expiry) ends here too; and "session required", so that the logout token names the
 * Keycloak session (`sid`) rather than only the user, whose sessions in every browser would end.
 */
@Injectable()
export class BackchannelLogoutCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.backchannelLogout;

  constructor(
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'withClient'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<ConfigType<typeof sessionConfig>, 'enabled' | 'redirectUri'>,
  ) {}

  async run(): Promise<CheckOutcome> {
    return this.session.enabled
      ? this.settings.withClient((client) => this.judge(client))
      : SESSION_MODE_OFF;
  }

  private judge(client: KeycloakClientSettings): CheckOutcome {
    const { realm, clientId } = this.keycloak;
    const expected = backchannelLogoutUrl(this.session.redirectUri);
    const url = client.attributes[URL_ATTRIBUTE] ?? '';
    const sessionRequired = client.attributes[SESSION_REQUIRED_ATTRIBUTE] === 'true';
    const problems: string[] = [];
    if (!url) {
      problems.push(
        'no back-channel logout URL: a session ended in Keycloak (logout elsewhere, an admin, expiry) stays alive here',
      );
    } else if (!url.endsWith(BACKCHANNEL_PATH)) {
      problems.push(`the back-channel logout URL ${url} is not this BFF's ${BACKCHANNEL_PATH}`);
    }
    if (!sessionRequired) {
      problems.push(
        '"Backchannel logout session required" is off: logout tokens carry no sid, so one logout ends the user\'s sessions in every browser',
      );
    }
    if (problems.length === 0) {
      const elsewhere = new URL(url).origin !== new URL(expected).origin;
      return {
        status: 'PASS',
        found: `Back-channel logout to ${url} with session required${elsewhere ? ` (another host than SESSION_REDIRECT_URI's: fine if Keycloak reaches this BFF there)` : ''}`,
      };
    }
    const target = url.endsWith(BACKCHANNEL_PATH) ? url : expected;
    return {
      status: 'FAIL',
      found: `Client '${clientId}': ${problems.join('; ')}`,
      // Only a logout token without sid reaches the BFF and can be named there.
      ...(sessionRequired ? {} : { code: 'BACKCHANNEL_LOGOUT_SID_MISSING' }),
      fix: `Set "Backchannel logout URL" to ${target} and turn "Backchannel logout session required" on (client '${clientId}', Settings → Logout settings).`,
      kcadm: [
        kcadm.updateClient(realm, client.id, {
          ...(target === url ? {} : { [attribute(URL_ATTRIBUTE)]: target }),
          ...(sessionRequired ? {} : { [attribute(SESSION_REQUIRED_ATTRIBUTE)]: true }),
        }),
      ],
    };
  }
}

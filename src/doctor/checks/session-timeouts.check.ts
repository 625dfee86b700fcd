import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { sessionConfig } from '../../config/session.config';
import type {
  KeycloakClientSettings,
  KeycloakRealmSettings,
} from '../../keycloak/keycloak-admin.client';
import { attribute, kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import { type CheckOutcome, type DoctorCheck, SESSION_MODE_OFF } from './doctor-check';

/** One pair of timeouts: the BFF's variable and Keycloak's setting it must not outlast. */
interface Limit {
  variable: string;
  bff: number;
  setting: string;
  keycloak: number;
  /** How kcadm.sh raises Keycloak's value: the client's override when it is the lower one. */
  raise: (seconds: number) => string;
}

/** A client-level override counts only when set (> 0); Keycloak then uses the lower value. */
function effective(realmValue: number, clientValue: string | undefined): [number, boolean] {
  const override = Number(clientValue ?? 0);
  return override > 0 && (realmValue <= 0 || override < realmValue)
    ? [override, true]
    : [realmValue, false];
}

/**
 * SESSION_IDLE_TIMEOUT_S and SESSION_ABSOLUTE_TIMEOUT_S against Keycloak's SSO Session Idle and
 * Max (the client's overrides included). A BFF session outlasting Keycloak's keeps a cookie that
 * looks valid until its next refresh fails (SESSION_EXPIRED), at a moment the user cannot guess.
 */
@Injectable()
export class SessionTimeoutsCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.sessionTimeouts;

  constructor(
    @Inject(KeycloakSettings)
    private readonly settings: Pick<KeycloakSettings, 'withRealm' | 'withClient'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<
      ConfigType<typeof sessionConfig>,
      'enabled' | 'idleTimeoutMs' | 'absoluteTimeoutMs'
    >,
  ) {}

  async run(): Promise<CheckOutcome> {
    return this.session.enabled
      ? this.settings.withRealm((realm) =>
          this.settings.withClient((client) => this.judge(realm, client)),
        )
      : SESSION_MODE_OFF;
  }

  private judge(realm: KeycloakRealmSettings, client: KeycloakClientSettings): CheckOutcome {
    const limits = [
      this.limit(
        'SESSION_IDLE_TIMEOUT_S',
        this.session.idleTimeoutMs,
        'SSO Session Idle',
        'ssoSessionIdleTimeout',
        'client.session.idle.timeout',
        realm.ssoSessionIdleTimeout,
        client,
      ),
      this.limit(
        'SESSION_ABSOLUTE_TIMEOUT_S',
        this.session.absoluteTimeoutMs,
        'SSO Session Max',
        'ssoSessionMaxLifespan',
        'client.session.max.lifespan',
        realm.ssoSessionMaxLifespan,
        client,
      ),
    ];
    const over = limits.filter((l) => l.keycloak > 0 && l.bff > l.keycloak);
    const found = limits
      .map(
        (l) =>
          `${l.variable} ${l.bff} s ${l.bff > l.keycloak ? '>' : '≤'} ${l.setting} ${l.keycloak} s`,
      )
      .join('; ');
    if (over.length === 0) {
      return { status: 'PASS', found };
    }
    return {
      status: 'WARN',
      found,
      fix: `Keycloak ends the session first, and the BFF finds out only when a refresh fails (SESSION_EXPIRED). Lower ${over.map((l) => `${l.variable} to ${l.keycloak}`).join(' and ')}, or raise Keycloak's value:`,
      kcadm: over.map((l) => l.raise(l.bff)),
      code: 'SESSION_EXPIRED',
    };
  }

  private limit(
    variable: string,
    bffMs: number,
    setting: string,
    realmField: keyof KeycloakRealmSettings,
    clientAttribute: string,
    realmValue: number,
    client: KeycloakClientSettings,
  ): Limit {
    const { realm, clientId } = this.keycloak;
    const [keycloak, byClient] = effective(realmValue, client.attributes[clientAttribute]);
    return {
      variable,
      bff: Math.round(bffMs / 1000),
      setting: byClient ? `${setting} of client '${clientId}'` : setting,
      keycloak,
      raise: (seconds) =>
        byClient
          ? kcadm.updateClient(realm, client.id, { [attribute(clientAttribute)]: seconds })
          : kcadm.updateRealm(realm, { [realmField]: seconds }),
    };
  }
}

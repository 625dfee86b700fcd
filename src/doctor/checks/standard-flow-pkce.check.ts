import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { sessionConfig } from '../../config/session.config';
import type { KeycloakClientSettings } from '../../keycloak/keycloak-admin.client';
import { worst } from '../doctor.types';
import { attribute, kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import {
  type CheckOutcome,
  type DoctorCheck,
  type FlowFinding,
  SESSION_MODE_OFF,
} from './doctor-check';

const PKCE_METHOD = 'pkce.code.challenge.method';

/**
 * The cookie-session mode's login is the code flow with PKCE S256: the client needs the standard
 * flow, and should require S256 so that a code is worth nothing without its verifier even to a
 * client that forgot to send a challenge (RFC 9700 §2.1.1).
 */
@Injectable()
export class StandardFlowPkceCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.standardFlow;

  constructor(
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'withClient'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<ConfigType<typeof sessionConfig>, 'enabled'>,
  ) {}

  async run(): Promise<CheckOutcome> {
    return this.session.enabled
      ? this.settings.withClient((client) => this.judge(client))
      : SESSION_MODE_OFF;
  }

  private judge(client: KeycloakClientSettings): CheckOutcome {
    const { realm, clientId } = this.keycloak;
    const method = client.attributes[PKCE_METHOD] ?? '';
    const findings: FlowFinding[] = [
      client.standardFlowEnabled
        ? { status: 'PASS', text: 'standard flow: on' }
        : {
            status: 'FAIL',
            text: 'standard flow: off (GET /auth/login cannot work)',
            fix: `Enable "Standard flow" on client '${clientId}'.`,
          },
      method === 'S256'
        ? { status: 'PASS', text: 'PKCE: S256 required' }
        : {
            status: 'WARN',
            text: `PKCE: ${method ? `${method} required` : 'not required'} (the BFF always sends S256)`,
            fix: `Set "PKCE Method" to S256 on client '${clientId}' (Advanced tab).`,
          },
    ];
    const status = worst(findings.map((f) => f.status));
    const found = findings.map((f) => f.text).join('; ');
    if (status === 'PASS') {
      return { status, found };
    }
    return {
      status,
      found,
      // Keycloak sends the browser back with error=unauthorized_client: the callback's LOGIN_FAILED.
      ...(client.standardFlowEnabled ? {} : { code: 'LOGIN_FAILED' }),
      fix: findings
        .map((f) => f.fix)
        .filter(Boolean)
        .join(' '),
      kcadm: [
        kcadm.updateClient(realm, client.id, {
          ...(client.standardFlowEnabled ? {} : { standardFlowEnabled: true }),
          ...(method === 'S256' ? {} : { [attribute(PKCE_METHOD)]: 'S256' }),
        }),
      ],
    };
  }
}

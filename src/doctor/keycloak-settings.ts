import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../common/doctor-check-names';
import { adminConfig } from '../config/admin.config';
import { keycloakConfig } from '../config/keycloak.config';
import {
  AdminPermissionMissingError,
  KeycloakAdminClient,
  type KeycloakClientScope,
  type KeycloakClientSettings,
  type KeycloakRealmSettings,
} from '../keycloak/keycloak-admin.client';
import type { CheckOutcome } from './checks/doctor-check';
import { describeError } from './doctor-errors';
import { kcadm } from './kcadm';

/** The client attribute that makes access tokens lightweight (Keycloak 24+). */
export const LIGHTWEIGHT_ATTRIBUTE = 'client.use.lightweight.access.token.enabled';

/** What a token check says of a lightweight token, which lacks what it looks for. */
export const lightweightSkip = `Not checked: the client's access tokens are lightweight (see '${DOCTOR_CHECK_NAMES.lightweightTokens}')`;

/** The roles doctor's Admin API reads need on the account whose token it uses. */
const READ_ROLES = ['view-realm', 'view-clients'];

/**
 * The realm's and the BFF client's settings through the Admin API, each read once per doctor
 * run and shared by the checks that compare them with the BFF's configuration. Reads use the
 * admin token of ADMIN_TOKEN_MODE (the service account, or a master-realm admin).
 */
@Injectable()
export class KeycloakSettings {
  private realmRead?: Promise<KeycloakRealmSettings>;
  private clientRead?: Promise<KeycloakClientSettings>;
  private scopesRead?: Promise<KeycloakClientScope[]>;

  constructor(
    @Inject(KeycloakAdminClient)
    private readonly admin: Pick<
      KeycloakAdminClient,
      'getRealmSettings' | 'findClient' | 'listClientScopes'
    >,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(adminConfig.KEY)
    private readonly adminSettings: Pick<ConfigType<typeof adminConfig>, 'tokenMode'>,
  ) {}

  realm(): Promise<KeycloakRealmSettings> {
    this.realmRead ??= this.admin.getRealmSettings();
    return this.realmRead;
  }

  /**
   * The BFF's client. The client-credentials check has shown by then that it exists, so an
   * empty answer means the token may not see clients (no view-clients).
   */
  client(): Promise<KeycloakClientSettings> {
    const { clientId } = this.keycloak;
    this.clientRead ??= this.admin.findClient(clientId).then((client) => {
      if (!client) {
        throw new AdminPermissionMissingError(clientId, undefined, ['view-clients']);
      }
      return client;
    });
    return this.clientRead;
  }

  clientScopes(): Promise<KeycloakClientScope[]> {
    this.scopesRead ??= this.admin.listClientScopes();
    return this.scopesRead;
  }

  /** `check`'s row for the realm's settings, or the unreadable row when they cannot be read. */
  async withRealm(
    check: (realm: KeycloakRealmSettings) => CheckOutcome | Promise<CheckOutcome>,
  ): Promise<CheckOutcome> {
    let realm: KeycloakRealmSettings;
    try {
      realm = await this.realm();
    } catch (err: unknown) {
      return this.unreadable("realm's settings", err);
    }
    return check(realm);
  }

  /** `check`'s row for the client's settings, or the unreadable row when they cannot be read. */
  async withClient(
    check: (client: KeycloakClientSettings) => CheckOutcome | Promise<CheckOutcome>,
  ): Promise<CheckOutcome> {
    let client: KeycloakClientSettings;
    try {
      client = await this.client();
    } catch (err: unknown) {
      return this.unreadable(`settings of client '${this.keycloak.clientId}'`, err);
    }
    return check(client);
  }

  /** Whether the client's access tokens are lightweight; undefined when it cannot be read. */
  async lightweightAccessTokens(): Promise<boolean | undefined> {
    try {
      return (await this.client()).attributes[LIGHTWEIGHT_ATTRIBUTE] === 'true';
    } catch {
      return undefined;
    }
  }

  /**
   * The row of a check that could not read what it compares: WARN, not FAIL, since nothing is
   * known to be wrong with Keycloak; in service-account mode with the kcadm.sh grant.
   */
  unreadable(what: string, err: unknown): CheckOutcome {
    const { realm, clientId } = this.keycloak;
    const serviceAccount = `service-account-${clientId}`;
    const permission =
      err instanceof AdminPermissionMissingError &&
      this.adminSettings.tokenMode === 'service-account';
    return {
      status: 'WARN',
      found: `Could not read the ${what} through the Admin API: ${describeError(err)}`,
      fix: permission
        ? `Grant realm-management ${READ_ROLES.join(' and ')} to ${serviceAccount} (read-only; view-clients also shows client secrets, so in production rather run doctor with ADMIN_TOKEN_MODE=master-admin and an operator's account).`
        : "Check the admin account's permissions (realm-management view-realm and view-clients).",
      ...(permission
        ? { kcadm: [kcadm.addClientRoles(realm, serviceAccount, 'realm-management', READ_ROLES)] }
        : {}),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { decode, type JwtPayload } from 'jsonwebtoken';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { sessionConfig } from '../../config/session.config';
import type { KeycloakClientSettings } from '../../keycloak/keycloak-admin.client';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import { kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import { claimsOf, type CheckOutcome, type DoctorCheck, type DoctorFindings } from './doctor-check';

/** Keycloak's client scope (25+) whose mappers put `sub` and `auth_time` into access tokens. */
const BASIC_SCOPE = 'basic';

interface Problem {
  text: string;
  code: string;
}

/**
 * Access tokens carry `sub` (the user's id everywhere in the BFF) and, in the session mode, ID
 * tokens carry `sid` (the Keycloak session a back-channel logout token names; the BFF indexes
 * its sessions by it). Since Keycloak 25 `sub` comes from the `basic` client scope: a client
 * without it issues access tokens without `sub`.
 */
@Injectable()
export class SidAndSubCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.sidAndSub;

  constructor(
    @Inject(KeycloakSettings)
    private readonly settings: Pick<
      KeycloakSettings,
      'withClient' | 'clientScopes' | 'lightweightAccessTokens'
    >,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<ConfigType<typeof sessionConfig>, 'enabled'>,
  ) {}

  run({ userToken }: DoctorFindings): Promise<CheckOutcome> {
    return this.settings.withClient((client) => this.judge(client, userToken));
  }

  private async judge(
    client: KeycloakClientSettings,
    userToken: KeycloakTokenResponse | undefined,
  ): Promise<CheckOutcome> {
    const { realm, clientId } = this.keycloak;
    const problems: Problem[] = [];
    const basic = client.defaultClientScopes.includes(BASIC_SCOPE);
    if (!basic) {
      problems.push({
        text: `the '${BASIC_SCOPE}' client scope is not a default scope of '${clientId}': its access tokens carry no sub`,
        code: 'ACCESS_TOKEN_SUB_MISSING',
      });
    }
    if (userToken) {
      // A lightweight access token has no sub either; that row names it.
      if (basic && !claimsOf(userToken)?.sub && !(await this.settings.lightweightAccessTokens())) {
        problems.push({ text: 'access tokens carry no sub', code: 'ACCESS_TOKEN_SUB_MISSING' });
      }
      const id = userToken.id_token ? (decode(userToken.id_token) as JwtPayload | null) : null;
      if (this.session.enabled && typeof id?.sid !== 'string') {
        problems.push({
          text: 'ID tokens carry no sid: back-channel logout tokens cannot be matched to sessions',
          code: 'ID_TOKEN_SID_MISSING',
        });
      }
    }
    if (problems.length === 0) {
      const checked = this.session.enabled ? 'sub in access tokens, sid in ID tokens' : 'sub';
      const unchecked = userToken
        ? ''
        : '; tokens not checked: set DOCTOR_USERNAME/DOCTOR_PASSWORD';
      return {
        status: 'PASS',
        found: `'${BASIC_SCOPE}' is a default scope of '${clientId}' (${checked})${unchecked}`,
      };
    }
    const scope = basic
      ? undefined
      : (await this.settings.clientScopes().catch(() => [])).find((s) => s.name === BASIC_SCOPE);
    return {
      status: 'FAIL',
      found: problems.map((p) => p.text).join('; '),
      code: problems[0]?.code,
      fix: basic
        ? `Check the mappers of client '${clientId}' and its client scopes (Client scopes → Evaluate shows the tokens).`
        : `Add the '${BASIC_SCOPE}' client scope to client '${clientId}' as a default scope (Client scopes tab).`,
      ...(scope ? { kcadm: [kcadm.addDefaultClientScope(realm, client.id, scope.id)] } : {}),
    };
  }
}

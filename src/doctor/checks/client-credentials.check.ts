import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../../config/keycloak.config';
import { KeycloakTokenClient } from '../../keycloak/keycloak-token.client';
import { describeError, upstreamText } from '../doctor-errors';
import type { CheckOutcome, DoctorCheck, DoctorFindings } from './doctor-check';

/**
 * KEYCLOAK_CLIENT_ID and KEYCLOAK_CLIENT_SECRET, from one password grant for a user that does
 * not exist: Keycloak authenticates the client before it looks at the user, so its refusal
 * tells a wrong secret from an unknown client, and says whether direct access grants are on.
 */
@Injectable()
export class ClientCredentialsCheck implements DoctorCheck {
  readonly name = 'client credentials';

  constructor(
    @Inject(KeycloakTokenClient)
    private readonly tokens: Pick<KeycloakTokenClient, 'passwordGrant'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
  ) {}

  async run(findings: DoctorFindings): Promise<CheckOutcome> {
    if (!findings.metadata) {
      return { status: 'SKIP', found: 'Needs the discovery document' };
    }
    const { realm, clientId } = this.keycloak;
    try {
      await this.tokens.passwordGrant(`doctor-probe-${Date.now()}`, 'not-a-password', 'openid');
      findings.directAccessGrants = { status: 'WARN', text: 'a made-up user could log in?' };
      return { status: 'PASS', found: `Client '${clientId}' authenticated` };
    } catch (err: unknown) {
      const text = upstreamText(err);
      if (/invalid_grant/.test(text) || /direct access grants/i.test(text)) {
        findings.clientAuthenticated = true;
        findings.directAccessGrants = /direct access grants/i.test(text)
          ? {
              status: 'FAIL',
              text: 'direct access grants: off (POST /auth/login cannot work)',
              fix: `Enable "Direct access grants" on client '${clientId}'.`,
            }
          : { status: 'PASS', text: 'direct access grants: on' };
        return {
          status: 'PASS',
          found: `Client '${clientId}' authenticated with KEYCLOAK_CLIENT_SECRET`,
        };
      }
      if (/^invalid_client/.test(text)) {
        return {
          status: 'FAIL',
          found: `Keycloak knows no client '${clientId}' in realm '${realm}'`,
          fix: 'Check KEYCLOAK_CLIENT_ID, or create the client.',
        };
      }
      if (/^unauthorized_client/.test(text)) {
        return {
          status: 'FAIL',
          found: `Client '${clientId}' exists but KEYCLOAK_CLIENT_SECRET is wrong (or the client is public)`,
          fix: `Copy the secret from Clients → ${clientId} → Credentials into KEYCLOAK_CLIENT_SECRET.`,
        };
      }
      return { status: 'FAIL', found: describeError(err) };
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { doctorConfig } from '../../config/doctor.config';
import { keycloakConfig } from '../../config/keycloak.config';
import {
  KeycloakAuthorizationProbe,
  refusesRedirectUri,
} from '../../keycloak/keycloak-authorization.probe';
import { KeycloakTokenClient } from '../../keycloak/keycloak-token.client';
import { describeError } from '../doctor-errors';
import { worst } from '../doctor.types';
import type { CheckOutcome, DoctorCheck, DoctorFindings, FlowFinding } from './doctor-check';

/**
 * The client's flows the BFF uses, in one row: direct access grants (learned by the
 * client-credentials check), the service account, the standard flow. Also fetches the tokens
 * the checks after it read.
 */
@Injectable()
export class ClientFlowsCheck implements DoctorCheck {
  readonly name = 'client flows';

  constructor(
    @Inject(KeycloakTokenClient)
    private readonly tokens: Pick<KeycloakTokenClient, 'clientCredentialsGrant' | 'passwordGrant'>,
    @Inject(KeycloakAuthorizationProbe)
    private readonly authorization: Pick<KeycloakAuthorizationProbe, 'probe'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'clientId'>,
    @Inject(doctorConfig.KEY)
    private readonly doctor: Pick<ConfigType<typeof doctorConfig>, 'redirectUri' | 'user'>,
  ) {}

  async run(findings: DoctorFindings): Promise<CheckOutcome> {
    if (!findings.clientAuthenticated) {
      return { status: 'SKIP', found: 'Needs valid client credentials' };
    }
    const flows: FlowFinding[] = findings.directAccessGrants ? [findings.directAccessGrants] : [];
    flows.push(await this.serviceAccount(findings));
    flows.push(await this.standardFlow(findings));
    const { user } = this.doctor;
    if (user) {
      // A failed user login only costs the checks that need a user token their detail.
      findings.userToken = await this.tokens
        .passwordGrant(user.username, user.password, 'openid')
        .catch(() => undefined);
    }
    return {
      status: worst(flows.map((x) => x.status)),
      found: flows.map((x) => x.text).join('; '),
      fix:
        flows
          .map((x) => x.fix)
          .filter(Boolean)
          .join(' ') || undefined,
    };
  }

  private async serviceAccount(findings: DoctorFindings): Promise<FlowFinding> {
    try {
      findings.serviceToken = await this.tokens.clientCredentialsGrant('openid');
      return { status: 'PASS', text: 'service account: on' };
    } catch (err: unknown) {
      return {
        status: 'FAIL',
        text: `service account: ${describeError(err)}`,
        fix: `Enable "Service accounts roles" on client '${this.keycloak.clientId}' (admin endpoints use it).`,
      };
    }
  }

  /**
   * Keycloak refuses an authorization request of a client without the standard flow by
   * redirecting to the redirect URI with an error, but only once it has accepted that URI.
   */
  private async standardFlow({ metadata }: DoctorFindings): Promise<FlowFinding> {
    if (!metadata) {
      return { status: 'SKIP', text: 'standard flow: not checked' };
    }
    const { clientId } = this.keycloak;
    const { redirectUri } = this.doctor;
    const answer = await this.authorization.probe(redirectUri).catch(() => undefined);
    if (!answer) {
      return {
        status: 'WARN',
        text: 'standard flow: not checked (authorization endpoint unreachable)',
      };
    }
    const { location } = answer;
    if (location.startsWith(redirectUri) && location.includes('error=')) {
      const description = new URL(location).searchParams.get('error_description') ?? 'refused';
      return {
        status: 'WARN',
        text: /standard flow is disabled/i.test(description)
          ? 'standard flow: off (the cookie-session mode needs it)'
          : `standard flow: ${description}`,
        fix: `Enable "Standard flow" on client '${clientId}' for the cookie-session mode.`,
      };
    }
    if (refusesRedirectUri(answer)) {
      return {
        status: 'WARN',
        text: `standard flow: not checked, ${redirectUri} is not a valid redirect URI of the client`,
        fix: `Register the BFF's callback URL on client '${clientId}' or set DOCTOR_REDIRECT_URI to one that is.`,
      };
    }
    return { status: 'PASS', text: 'standard flow: on' };
  }
}

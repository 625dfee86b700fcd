import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { apiRoutesConfig } from '../../config/api-routes.config';
import { doctorConfig } from '../../config/doctor.config';
import { keycloakConfig } from '../../config/keycloak.config';
import { tokenExchangeConfig } from '../../config/token-exchange.config';
import { KeycloakTokenClient } from '../../keycloak/keycloak-token.client';
import { describeError, upstreamText } from '../doctor-errors';
import { kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import type { CheckOutcome, DoctorCheck, DoctorFindings } from './doctor-check';

/**
 * Standard token exchange (RFC 8693) is on for the client, and, with a user token, each
 * TOKEN_EXCHANGE_AUDIENCES entry can be exchanged for. Audiences a proxy route exchanges for are
 * left to the 'proxy routes' row, so that one unavailable audience is one failing row.
 */
@Injectable()
export class TokenExchangeCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.tokenExchange;

  constructor(
    @Inject(KeycloakTokenClient)
    private readonly tokens: Pick<KeycloakTokenClient, 'tokenExchange'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(doctorConfig.KEY)
    private readonly doctor: Pick<ConfigType<typeof doctorConfig>, 'user'>,
    @Inject(tokenExchangeConfig.KEY)
    private readonly exchange: Pick<ConfigType<typeof tokenExchangeConfig>, 'audiences'>,
    @Inject(apiRoutesConfig.KEY)
    private readonly apiRoutes: Pick<ConfigType<typeof apiRoutesConfig>, 'routes'>,
    @Inject(KeycloakSettings)
    private readonly settings: Pick<KeycloakSettings, 'client' | 'lightweightAccessTokens'>,
  ) {}

  async run({ serviceToken, userToken }: DoctorFindings): Promise<CheckOutcome> {
    if (!serviceToken) {
      return { status: 'SKIP', found: 'Needs a service-account token' };
    }
    const refused = await this.standardExchangeRefusal(serviceToken.access_token);
    if (refused) {
      return refused;
    }
    const routed = new Set(
      this.apiRoutes.routes.flatMap((r) =>
        'audience' in r && r.audience !== undefined ? [r.audience] : [],
      ),
    );
    const audiences = this.exchange.audiences.filter((a) => !routed.has(a));
    const elsewhere = routed.size
      ? `; ${[...routed].join(', ')} checked with the ${DOCTOR_CHECK_NAMES.proxyRoutes}`
      : '';
    if (audiences.length === 0) {
      return { status: 'PASS', found: `Standard token exchange is on${elsewhere}` };
    }
    if (!userToken) {
      return {
        status: 'PASS',
        found: `Standard token exchange is on; audiences (${audiences.join(', ')}) not checked: set DOCTOR_USERNAME/DOCTOR_PASSWORD to check them for a user${elsewhere}`,
      };
    }
    const unavailable: string[] = [];
    for (const audience of audiences) {
      await this.tokens
        .tokenExchange(userToken.access_token, { audience })
        .catch(() => unavailable.push(audience));
    }
    if (unavailable.length === 0) {
      return {
        status: 'PASS',
        found: `Standard token exchange is on; audiences ${audiences.join(', ')} available${elsewhere}`,
      };
    }
    const { realm } = this.keycloak;
    const client = await this.settings.client().catch(() => undefined);
    const lightweight = await this.settings.lightweightAccessTokens();
    return {
      status: 'FAIL',
      found: `Audience(s) not available to ${this.doctor.user?.username ?? 'the user'}: ${unavailable.join(', ')}${lightweight ? ` (the client's access tokens are lightweight: see '${DOCTOR_CHECK_NAMES.lightweightTokens}')` : ''}`,
      fix: 'Give the client (or the user) a role of the audience client, or add an audience mapper for it.',
      code: 'AUDIENCE_NOT_AVAILABLE',
      ...(client
        ? { kcadm: unavailable.map((a) => kcadm.createAudienceMapper(realm, client.id, a)) }
        : {}),
    };
  }

  /**
   * With Keycloak's legacy token-exchange feature on, whatever standard exchange declines goes
   * to the legacy one, which happily exchanges a service-account token. So the probe asks for
   * something only standard exchange refuses: a refresh token without a user session.
   * Undefined when standard exchange is on.
   */
  private async standardExchangeRefusal(serviceToken: string): Promise<CheckOutcome | undefined> {
    const { clientId } = this.keycloak;
    const off = (how: string): CheckOutcome => ({
      status: 'FAIL',
      found: `Standard token exchange is off for client '${clientId}'${how}`,
      fix: `Turn on "Standard token exchange" on client '${clientId}' (attribute standard.token.exchange.enabled=true).`,
      code: 'TOKEN_EXCHANGE_NOT_ENABLED',
    });
    const legacy = ' (the legacy token exchange answered instead)';
    try {
      await this.tokens.tokenExchange(serviceToken, {
        requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
      });
      return off(legacy);
    } catch (err: unknown) {
      const text = upstreamText(err);
      if (/not enabled/i.test(text)) {
        return off('');
      }
      if (/not allowed to exchange/i.test(text)) {
        return off(legacy);
      }
      if (!/new session is needed|requested_token_type unsupported/i.test(text)) {
        return { status: 'FAIL', found: describeError(err) };
      }
      return undefined;
    }
  }
}

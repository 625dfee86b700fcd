import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { doctorConfig } from '../config/doctor.config';
import { keycloakConfig } from '../config/keycloak.config';
import { tokenExchangeConfig } from '../config/token-exchange.config';
import { KeycloakAuthorizationProbe } from '../keycloak/keycloak-authorization.probe';
import { KeycloakTokenClient, type KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import type { OidcMetadata } from '../keycloak/oidc-discovery.service';
import { describeError, upstreamText } from './doctor-errors';
import type { CheckResult, CheckStatus } from './doctor.types';

/** The doctor checks that need a token or a browser-flow probe. */
@Injectable()
export class DoctorProbes {
  constructor(
    private readonly tokens: KeycloakTokenClient,
    private readonly authorization: KeycloakAuthorizationProbe,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Inject(doctorConfig.KEY) private readonly doctor: ConfigType<typeof doctorConfig>,
    @Inject(tokenExchangeConfig.KEY)
    private readonly exchange: ConfigType<typeof tokenExchangeConfig>,
  ) {}

  async standardFlow(
    metadata: OidcMetadata | undefined,
  ): Promise<{ status: CheckStatus; text: string; fix?: string }> {
    if (!metadata) {
      return { status: 'SKIP', text: 'standard flow: not checked' };
    }
    const { clientId } = this.keycloak;
    const redirectUri = this.doctor.redirectUri;
    const res = await this.authorization.probe(redirectUri).catch(() => undefined);
    if (!res) {
      return {
        status: 'WARN',
        text: 'standard flow: not checked (authorization endpoint unreachable)',
      };
    }
    const { location } = res;
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
    if (/invalid parameter: redirect_uri/i.test(res.body)) {
      return {
        status: 'WARN',
        text: `standard flow: not checked, ${redirectUri} is not a valid redirect URI of the client`,
        fix: `Register the BFF's callback URL on client '${clientId}' or set DOCTOR_REDIRECT_URI to one that is.`,
      };
    }
    return { status: 'PASS', text: 'standard flow: on' };
  }

  async userinfoCheck(sample: KeycloakTokenResponse | undefined): Promise<CheckResult> {
    const name = 'openid and userinfo';
    if (!sample) {
      return { id: 7, name, status: 'SKIP', found: 'Needs a token' };
    }
    if (!(sample.scope ?? '').split(' ').includes('openid')) {
      return {
        id: 7,
        name,
        status: 'FAIL',
        found: `A token requested with scope=openid came back with scope '${sample.scope ?? ''}'`,
        fix: "Keycloak's userinfo answers 403 to such tokens; check the client's client scopes.",
      };
    }
    try {
      await this.tokens.userinfo(sample.access_token);
      return { id: 7, name, status: 'PASS', found: 'openid granted; userinfo answers' };
    } catch (err: unknown) {
      return {
        id: 7,
        name,
        status: 'FAIL',
        found: `userinfo refused an openid token: ${describeError(err)}`,
      };
    }
  }

  async exchangeCheck(
    serviceToken: KeycloakTokenResponse | undefined,
    userToken: KeycloakTokenResponse | undefined,
  ): Promise<CheckResult> {
    const name = 'token exchange';
    const clientId = this.keycloak.clientId;
    if (!serviceToken) {
      return { id: 9, name, status: 'SKIP', found: 'Needs a service-account token' };
    }
    const off = (how: string): CheckResult => ({
      id: 9,
      name,
      status: 'FAIL',
      found: `Standard token exchange is off for client '${clientId}'${how}`,
      fix: `Turn on "Standard token exchange" on client '${clientId}' (attribute standard.token.exchange.enabled=true).`,
    });
    // With Keycloak's legacy token-exchange feature on, whatever standard exchange declines goes
    // to the legacy one, which happily exchanges a service-account token. So the probe asks for
    // something only standard exchange refuses: a refresh token without a user session.
    const legacy = ' (the legacy token exchange answered instead)';
    try {
      await this.tokens.tokenExchange(serviceToken.access_token, {
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
        return { id: 9, name, status: 'FAIL', found: describeError(err) };
      }
    }
    if (!userToken) {
      return {
        id: 9,
        name,
        status: 'PASS',
        found: `Standard token exchange is on; audiences (${this.exchange.audiences.join(', ')}) not checked: set DOCTOR_USERNAME/DOCTOR_PASSWORD to check them for a user`,
      };
    }
    const unavailable: string[] = [];
    for (const audience of this.exchange.audiences) {
      await this.tokens
        .tokenExchange(userToken.access_token, { audience })
        .catch(() => unavailable.push(audience));
    }
    return unavailable.length
      ? {
          id: 9,
          name,
          status: 'FAIL',
          found: `Audience(s) not available to ${this.doctor.user?.username ?? 'the user'}: ${unavailable.join(', ')}`,
          fix: 'Give the client (or the user) a role of the audience client, or add an audience mapper for it.',
        }
      : {
          id: 9,
          name,
          status: 'PASS',
          found: `Standard token exchange is on; audiences ${this.exchange.audiences.join(', ')} available`,
        };
  }

  lifetimeCheck(
    sample: KeycloakTokenResponse | undefined,
    user: KeycloakTokenResponse | undefined,
  ): CheckResult {
    const name = 'token lifetimes';
    if (!sample) {
      return { id: 11, name, status: 'SKIP', found: 'Needs a token' };
    }
    const access = sample.expires_in;
    const refresh = user?.refresh_expires_in;
    const found = `access token ${access} s${refresh === undefined ? '' : `, refresh/session ${refresh} s`}`;
    if (refresh !== undefined && refresh > 0 && access > refresh) {
      return {
        id: 11,
        name,
        status: 'FAIL',
        found,
        fix: 'The access token outlives the session: lower "Access Token Lifespan" below the SSO session idle timeout.',
      };
    }
    if (access > 3600) {
      return {
        id: 11,
        name,
        status: 'WARN',
        found,
        fix: 'Access tokens over an hour are hard to revoke; a BFF refreshes cheaply, so 5–15 minutes is usual.',
      };
    }
    return { id: 11, name, status: 'PASS', found };
  }
}

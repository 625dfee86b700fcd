import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../../config/keycloak.config';
import type {
  KeycloakClientSettings,
  KeycloakRealmSettings,
} from '../../keycloak/keycloak-admin.client';
import { attribute, kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import {
  type CheckOutcome,
  type DoctorCheck,
  type DoctorFindings,
  sampleToken,
} from './doctor-check';

/** An hour, past which an access token is hard to take back. */
const LONG_ACCESS_TOKEN_S = 3600;
/** What a BFF usually gives access tokens: it refreshes cheaply. */
const USUAL_ACCESS_TOKEN_S = 300;

const ACCESS_LIFESPAN = 'access.token.lifespan';
const CLIENT_IDLE = 'client.session.idle.timeout';

const OUTLIVES =
  'The access token outlives the session: lower "Access Token Lifespan" below the SSO session idle timeout.';
const TOO_LONG =
  'Access tokens over an hour are hard to revoke; a BFF refreshes cheaply, so 5–15 minutes is usual.';

/** A client's override counts only when set (> 0). */
const override = (client: KeycloakClientSettings, key: string): number =>
  Number(client.attributes[key] ?? 0);

/**
 * The access token lives shorter than the session (SSO Session Idle), and not for hours. From
 * the realm's and the client's settings when doctor may read them (the client's own "Access
 * Token Lifespan" overrides the realm's), else from the tokens Keycloak issued.
 */
@Injectable()
export class TokenLifetimesCheck implements DoctorCheck {
  readonly name = 'token lifetimes';

  constructor(
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'realm' | 'client'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm'>,
  ) {}

  async run(findings: DoctorFindings): Promise<CheckOutcome> {
    const settings = await Promise.all([this.settings.realm(), this.settings.client()]).catch(
      () => undefined,
    );
    return settings ? this.fromSettings(...settings) : fromTokens(findings);
  }

  private fromSettings(realm: KeycloakRealmSettings, client: KeycloakClientSettings): CheckOutcome {
    const byClient = override(client, ACCESS_LIFESPAN) > 0;
    const access = byClient ? override(client, ACCESS_LIFESPAN) : realm.accessTokenLifespan;
    const clientIdle = override(client, CLIENT_IDLE);
    const idle =
      clientIdle > 0 &&
      (realm.ssoSessionIdleTimeout <= 0 || clientIdle < realm.ssoSessionIdleTimeout)
        ? clientIdle
        : realm.ssoSessionIdleTimeout;
    const found = `access token ${access} s${byClient ? ` (client '${client.clientId}')` : ''}, SSO session idle ${idle} s`;
    const outlives = idle > 0 && access >= idle;
    if (!outlives && access <= LONG_ACCESS_TOKEN_S) {
      return { status: 'PASS', found };
    }
    const seconds = Math.min(
      USUAL_ACCESS_TOKEN_S,
      idle > 0 ? Math.floor(idle / 2) : USUAL_ACCESS_TOKEN_S,
    );
    return {
      status: outlives ? 'FAIL' : 'WARN',
      found,
      fix: outlives ? OUTLIVES : TOO_LONG,
      kcadm: [
        byClient
          ? kcadm.updateClient(this.keycloak.realm, client.id, {
              [attribute(ACCESS_LIFESPAN)]: seconds,
            })
          : kcadm.updateRealm(this.keycloak.realm, { accessTokenLifespan: seconds }),
      ],
    };
  }
}

/** What the tokens show: the access token's and a user session's lifetime. */
function fromTokens(findings: DoctorFindings): CheckOutcome {
  const sample = sampleToken(findings);
  if (!sample) {
    return { status: 'SKIP', found: 'Needs a token' };
  }
  const access = sample.expires_in;
  // Only a user token has a session; a service account's refresh_expires_in is 0.
  const refresh = findings.userToken?.refresh_expires_in;
  const found = `access token ${access} s${refresh === undefined ? '' : `, refresh/session ${refresh} s`}`;
  if (refresh !== undefined && refresh > 0 && access > refresh) {
    return { status: 'FAIL', found, fix: OUTLIVES };
  }
  if (access > LONG_ACCESS_TOKEN_S) {
    return { status: 'WARN', found, fix: TOO_LONG };
  }
  return { status: 'PASS', found };
}

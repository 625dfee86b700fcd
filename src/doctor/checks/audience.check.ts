import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../../config/auth.config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { keycloakConfig } from '../../config/keycloak.config';
import { KeycloakSettings, lightweightSkip } from '../keycloak-settings';
import {
  type CheckOutcome,
  claimsOf,
  type DoctorCheck,
  type DoctorFindings,
  sampleToken,
} from './doctor-check';

/** The client's tokens carry the audience the BFF's guard requires (AUTH_AUDIENCE). */
@Injectable()
export class AudienceCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.audience;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: Pick<ConfigType<typeof authConfig>, 'audience'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'clientId'>,
    @Inject(KeycloakSettings)
    private readonly settings: Pick<KeycloakSettings, 'lightweightAccessTokens'>,
  ) {}

  async run(findings: DoctorFindings): Promise<CheckOutcome> {
    const claims = claimsOf(sampleToken(findings));
    if (!claims) {
      return { status: 'SKIP', found: 'Needs a token of the client' };
    }
    const { clientId } = this.keycloak;
    const { audience } = this.auth;
    if (claims.aud === undefined && (await this.settings.lightweightAccessTokens())) {
      return { status: 'SKIP', found: lightweightSkip };
    }
    const aud = ([] as string[]).concat(claims.aud ?? []);
    const found = `Tokens of '${clientId}' carry aud [${aud.join(', ')}]`;
    return aud.includes(audience)
      ? { status: 'PASS', found }
      : {
          status: 'FAIL',
          found,
          code: 'TOKEN_AUDIENCE_MISMATCH',
          fix: `Add an "Audience" mapper with Included Client Audience '${audience}' to client '${clientId}' (or set AUTH_AUDIENCE).`,
        };
  }
}

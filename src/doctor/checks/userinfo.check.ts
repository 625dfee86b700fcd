import { Inject, Injectable } from '@nestjs/common';
import { KeycloakTokenClient } from '../../keycloak/keycloak-token.client';
import { describeError } from '../doctor-errors';
import { KeycloakSettings, lightweightSkip } from '../keycloak-settings';
import {
  type CheckOutcome,
  type DoctorCheck,
  type DoctorFindings,
  sampleToken,
} from './doctor-check';

/** Tokens come with the openid scope, and the userinfo endpoint accepts them. */
@Injectable()
export class UserinfoCheck implements DoctorCheck {
  readonly name = 'openid and userinfo';

  constructor(
    @Inject(KeycloakTokenClient) private readonly tokens: Pick<KeycloakTokenClient, 'userinfo'>,
    @Inject(KeycloakSettings)
    private readonly settings: Pick<KeycloakSettings, 'lightweightAccessTokens'>,
  ) {}

  async run(findings: DoctorFindings): Promise<CheckOutcome> {
    const sample = sampleToken(findings);
    if (!sample) {
      return { status: 'SKIP', found: 'Needs a token' };
    }
    if (!(sample.scope ?? '').split(' ').includes('openid')) {
      return {
        status: 'FAIL',
        found: `A token requested with scope=openid came back with scope '${sample.scope ?? ''}'`,
        fix: "Keycloak's userinfo answers 403 to such tokens; check the client's client scopes.",
      };
    }
    try {
      await this.tokens.userinfo(sample.access_token);
      return { status: 'PASS', found: 'openid granted; userinfo answers' };
    } catch (err: unknown) {
      // Keycloak's userinfo refuses lightweight tokens outright; that row names the cause.
      if (await this.settings.lightweightAccessTokens()) {
        return { status: 'SKIP', found: lightweightSkip };
      }
      return { status: 'FAIL', found: `userinfo refused an openid token: ${describeError(err)}` };
    }
  }
}

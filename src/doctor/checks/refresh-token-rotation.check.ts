import { Inject, Injectable } from '@nestjs/common';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import type { KeycloakRealmSettings } from '../../keycloak/keycloak-admin.client';
import { kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import type { CheckOutcome, DoctorCheck } from './doctor-check';

/**
 * Refresh-token rotation ("Revoke Refresh Token") with "Refresh Token Max Reuse" 0: every
 * refresh token works once. Two tabs refreshing at once end the session in BFFs that refresh per
 * request; this one refreshes once per session across instances, but a refresh whose answer
 * never arrives (timeout, restart, dropped connection) still leaves it holding a spent token.
 */
@Injectable()
export class RefreshTokenRotationCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.refreshTokenRotation;

  constructor(
    @Inject(KeycloakSettings) private readonly settings: Pick<KeycloakSettings, 'withRealm'>,
  ) {}

  run(): Promise<CheckOutcome> {
    return this.settings.withRealm(judge);
  }
}

/** The row for the realm's rotation settings. */
function judge(realm: KeycloakRealmSettings): CheckOutcome {
  if (!realm.revokeRefreshToken) {
    return {
      status: 'PASS',
      found: 'Refresh tokens are not rotated ("Revoke Refresh Token" off)',
    };
  }
  const reuse = realm.refreshTokenMaxReuse;
  if (reuse > 0) {
    return {
      status: 'PASS',
      found: `Refresh tokens rotate and may be reused ${reuse} time(s): a refresh whose answer was lost can be retried`,
    };
  }
  return {
    status: 'WARN',
    found:
      '"Revoke Refresh Token" is on with "Refresh Token Max Reuse" 0: each refresh token works once',
    fix: 'Two tabs refreshing at once end the session in BFFs that refresh per request. This BFF refreshes once per session across instances, but a refresh whose answer is lost (timeout, restart, network) leaves it a spent token, and the next refresh ends the session (SESSION_EXPIRED). Allow one reuse, or turn rotation off.',
    kcadm: [kcadm.updateRealm(realm.realm, { refreshTokenMaxReuse: 1 })],
    code: 'SESSION_EXPIRED',
  };
}

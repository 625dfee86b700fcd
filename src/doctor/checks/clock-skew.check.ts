import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../../config/auth.config';
import {
  type CheckOutcome,
  claimsOf,
  type DoctorCheck,
  type DoctorFindings,
  sampleToken,
} from './doctor-check';

/**
 * This host's clock against Keycloak's, from a fresh token's `iat`: past the guard's tolerance,
 * every token is refused as not yet valid or expired.
 */
@Injectable()
export class ClockSkewCheck implements DoctorCheck {
  readonly name = 'clock skew';

  constructor(
    @Inject(authConfig.KEY)
    private readonly auth: Pick<ConfigType<typeof authConfig>, 'clockToleranceSec'>,
  ) {}

  run(findings: DoctorFindings): CheckOutcome {
    const iat = claimsOf(sampleToken(findings))?.iat;
    if (!iat) {
      return { status: 'SKIP', found: 'Needs a token' };
    }
    const skew = Math.round(Date.now() / 1000 - iat);
    // iat is in whole seconds and the token took a moment to arrive: allow 2 s even when the
    // tolerance is lower.
    const ok = Math.abs(skew) <= Math.max(this.auth.clockToleranceSec, 2);
    const found = `This host's clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} Keycloak's (token iat)`;
    return ok
      ? { status: 'PASS', found }
      : { status: 'FAIL', found, fix: 'Synchronise clocks (NTP) or raise AUTH_CLOCK_TOLERANCE_S.' };
  }
}

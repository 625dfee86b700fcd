import { Injectable } from '@nestjs/common';
import {
  type CheckOutcome,
  type DoctorCheck,
  type DoctorFindings,
  sampleToken,
} from './doctor-check';

/** An hour, past which an access token is hard to take back. */
const LONG_ACCESS_TOKEN_S = 3600;

/** The access token lives shorter than the session, and not for hours. */
@Injectable()
export class TokenLifetimesCheck implements DoctorCheck {
  readonly name = 'token lifetimes';

  run(findings: DoctorFindings): CheckOutcome {
    const sample = sampleToken(findings);
    if (!sample) {
      return { status: 'SKIP', found: 'Needs a token' };
    }
    const access = sample.expires_in;
    // Only a user token has a session; a service account's refresh_expires_in is 0.
    const refresh = findings.userToken?.refresh_expires_in;
    const found = `access token ${access} s${refresh === undefined ? '' : `, refresh/session ${refresh} s`}`;
    if (refresh !== undefined && refresh > 0 && access > refresh) {
      return {
        status: 'FAIL',
        found,
        fix: 'The access token outlives the session: lower "Access Token Lifespan" below the SSO session idle timeout.',
      };
    }
    if (access > LONG_ACCESS_TOKEN_S) {
      return {
        status: 'WARN',
        found,
        fix: 'Access tokens over an hour are hard to revoke; a BFF refreshes cheaply, so 5–15 minutes is usual.',
      };
    }
    return { status: 'PASS', found };
  }
}

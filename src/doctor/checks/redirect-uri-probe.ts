import {
  type AuthorizationAnswer,
  refusesRedirectUri,
} from '../../keycloak/keycloak-authorization.probe';
import { describeError } from '../doctor-errors';
import type { CheckOutcome } from './doctor-check';

/**
 * The row of a (post-logout) redirect URI, asked of Keycloak the way a browser would: PASS when
 * Keycloak takes it, `refused`'s row when it shows its error page, WARN when it cannot be asked.
 */
export async function redirectUriRow(
  ask: () => Promise<AuthorizationAnswer>,
  accepted: string,
  refused: () => Promise<CheckOutcome>,
): Promise<CheckOutcome> {
  let answer: AuthorizationAnswer;
  try {
    answer = await ask();
  } catch (err: unknown) {
    return { status: 'WARN', found: `Not checked: ${describeError(err)}` };
  }
  return refusesRedirectUri(answer) ? refused() : { status: 'PASS', found: accepted };
}

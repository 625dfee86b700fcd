import type { AxiosResponse } from 'axios';
import type { AnswerShape } from './keycloak-answers';
import {
  IdpAnswerInvalidError,
  type KeycloakEndpoint,
  narrowKeycloakError,
} from './keycloak.errors';

/** What one call to Keycloak is and must answer. */
export interface KeycloakCall<T> {
  endpoint: KeycloakEndpoint;
  /** What the BFF asked for, in words: "password grant", "user count". Names it in errors. */
  operation: string;
  /** The body a success must have. */
  answer: AnswerShape<T>;
  /** The one success status the call accepts (logout: 204); any 2xx when unset. */
  status?: number;
}

/** A body axios left as text: it was not JSON (a WAF page) or did not parse (truncated). */
function describeText(response: AxiosResponse<unknown>, text: string): string {
  const type = String(response.headers['content-type'] ?? '')
    .split(';', 1)[0]
    ?.trim();
  const size = `${Buffer.byteLength(text)} bytes`;
  return /json/i.test(type ?? '')
    ? `the body is ${type} that does not parse (${size}, truncated?)`
    : `the body is ${type || 'untyped'} text, not JSON (${size})`;
}

/** Why a success answer is not what the call expects, or undefined when it is. */
function problemWith<T>(
  call: KeycloakCall<T>,
  response: AxiosResponse<unknown>,
): string | undefined {
  if (call.status !== undefined && response.status !== call.status) {
    return `expected status ${call.status}, the status of its success; got ${response.status}`;
  }
  const { data } = response;
  const problem = call.answer.problemWith(data);
  if (problem === undefined) {
    return undefined;
  }
  const what = typeof data === 'string' && data.length > 0 ? describeText(response, data) : problem;
  return `expected ${call.answer.name}; ${what}`;
}

/**
 * Awaits a call to Keycloak, narrows any failure into our error classes (cause kept), and
 * checks that a success is what the call answers: anything else is a 502 IDP_ERROR naming the
 * operation and what was wrong, never our success.
 */
export async function callKeycloak<T>(
  call: KeycloakCall<T>,
  request: () => Promise<AxiosResponse<unknown>>,
): Promise<T> {
  let response: AxiosResponse<unknown>;
  try {
    response = await request();
  } catch (err: unknown) {
    throw narrowKeycloakError(err, call.endpoint);
  }
  const problem = problemWith(call, response);
  if (problem !== undefined) {
    throw new IdpAnswerInvalidError(call.endpoint, call.operation, response.status, problem);
  }
  return response.data as T;
}

import { isAxiosError, type AxiosResponse } from 'axios';
import type {
  KeycloakCallOutcome,
  KeycloakOperation,
  MetricsService,
} from '../common/metrics/metrics.service';
import { statusClassOf } from '../common/metrics/metrics.service';
import type { AnswerShape } from './keycloak-answers';
import {
  IdpAnswerInvalidError,
  IdpTimeoutError,
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
  /**
   * The operation's metric label, a bounded name (`operation` is prose and may be anything);
   * when unset, the endpoint's (certs, discovery, userinfo, logout, admin).
   */
  metric?: KeycloakOperation;
}

/** The label of a call that sets none: what its endpoint is for. */
function operationOf(call: KeycloakCall<unknown>): KeycloakOperation {
  if (call.metric !== undefined) {
    return call.metric;
  }
  switch (call.endpoint) {
    case 'jwks':
      return 'certs';
    case 'discovery':
    case 'userinfo':
    case 'logout':
    case 'admin':
      return call.endpoint;
    case 'token':
    case 'authorization':
    case 'revoke':
    case 'introspect':
      // The token client labels each grant; an unlabelled token call is an Admin API login.
      return 'admin_token';
  }
}

/** How a failed call ended: Keycloak's status class, or no answer (timeout, unreachable). */
function failureOutcome(raw: unknown, narrowed: unknown): KeycloakCallOutcome {
  if (isAxiosError(raw) && raw.response) {
    return statusClassOf(raw.response.status);
  }
  return narrowed instanceof IdpTimeoutError ? 'timeout' : 'unreachable';
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
 * operation and what was wrong, never our success. With `metrics`, the call is counted by
 * operation and outcome and its latency observed (a success that is not what the call answers
 * still counts under Keycloak's status class: the metric says what Keycloak did).
 */
export async function callKeycloak<T>(
  call: KeycloakCall<T>,
  request: () => Promise<AxiosResponse<unknown>>,
  metrics?: MetricsService,
): Promise<T> {
  const started = performance.now();
  const record = (outcome: KeycloakCallOutcome): void =>
    metrics?.keycloakCall(operationOf(call), outcome, (performance.now() - started) / 1000);
  let response: AxiosResponse<unknown>;
  try {
    response = await request();
  } catch (err: unknown) {
    const narrowed = narrowKeycloakError(err, call.endpoint);
    // Anything but an axios error is our bug, not a call that reached (or missed) Keycloak.
    if (isAxiosError(err)) {
      record(failureOutcome(err, narrowed));
    }
    throw narrowed;
  }
  record(statusClassOf(response.status));
  const problem = problemWith(call, response);
  if (problem !== undefined) {
    throw new IdpAnswerInvalidError(call.endpoint, call.operation, response.status, problem);
  }
  return response.data as T;
}

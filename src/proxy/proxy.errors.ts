import { errorClass, errorTable, ProblemError } from '../common/errors/problem.error';

/** Codes of the API proxy's own failures; docs/errors.md lists each with its meaning. */
export const PROXY_ERRORS = errorTable({
  UPSTREAM_UNAVAILABLE: [502, 'Upstream API unavailable'],
  UPSTREAM_TIMEOUT: [504, 'Upstream API timed out'],
  PROXY_PATH_INVALID: [400, 'Path not forwarded'],
});

export type ProxyErrorCode = keyof typeof PROXY_ERRORS;

/** Every failure of the proxy itself: the status and title follow from the code. */
export class ProxyError extends errorClass(PROXY_ERRORS) {}

/**
 * Keycloak refused the token a route needs (exchange or client credentials). The caller did
 * nothing wrong: the operator's setup did, so the status is 502 Bad Gateway whatever the code's
 * own status is on POST /token-exchange, where the caller chose the parameters. Code, detail,
 * hint and Keycloak's words are the token-exchange module's, so the docs of each code apply.
 */
export class RouteTokenError extends ProblemError {
  constructor(refusal: ProblemError) {
    super({
      status: 502,
      code: refusal.code,
      title: refusal.title,
      detail: refusal.detail,
      hint: refusal.hint,
      upstream: refusal.upstream,
      extensions: refusal.extensions,
      cause: refusal,
    });
  }
}

import { ProblemError } from '../common/errors/problem.error';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';

export const describeError = (err: unknown): string =>
  err instanceof ProblemError
    ? [err.detail, err.upstream?.error_description].filter(Boolean).join(': ')
    : err instanceof Error
      ? err.message
      : String(err);

export const upstreamText = (err: unknown): string =>
  err instanceof KeycloakResponseError
    ? `${err.upstream?.error ?? ''} ${err.upstream?.error_description ?? ''}`
    : '';

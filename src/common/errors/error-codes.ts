/**
 * Stable, upper-snake codes of the error contract. Clients switch on these, so a code is
 * never renamed or reused; docs/errors.md lists them all.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  IDP_UNAVAILABLE: 'IDP_UNAVAILABLE',
  IDP_TIMEOUT: 'IDP_TIMEOUT',
  IDP_ERROR: 'IDP_ERROR',
  REALM_NOT_FOUND: 'REALM_NOT_FOUND',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

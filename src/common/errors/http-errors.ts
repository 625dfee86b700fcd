import { errorClass, errorTable } from './problem.error';

/**
 * Codes of the HTTP layer itself: a request that fails before any feature sees it, and our own
 * bugs. Stable: clients switch on them, so a code is never renamed or reused; docs/errors.md
 * lists each with its meaning.
 */
export const HTTP_ERRORS = errorTable({
  VALIDATION_FAILED: [400, 'Request validation failed'],
  BAD_REQUEST: [400, 'Bad request'],
  NOT_FOUND: [404, 'Not found'],
  METHOD_NOT_ALLOWED: [405, 'Method not allowed'],
  REQUEST_TIMEOUT: [408, 'Request timeout'],
  PAYLOAD_TOO_LARGE: [413, 'Payload too large'],
  URI_TOO_LONG: [414, 'URI too long'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported media type'],
  EXPECTATION_FAILED: [417, 'Expectation failed'],
  HEADERS_TOO_LARGE: [431, 'Request header fields too large'],
  INTERNAL: [500, 'Internal server error'],
  SHUTTING_DOWN: [503, 'Shutting down'],
});

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** Every error of the HTTP layer: the status and title follow from the code. */
export class HttpError extends errorClass(HTTP_ERRORS) {}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationFailedError extends HttpError {
  constructor(readonly errors: FieldError[]) {
    super(
      'VALIDATION_FAILED',
      errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'The request is invalid',
      { extensions: { errors } },
    );
  }
}

export class InternalError extends HttpError {
  constructor(cause?: unknown) {
    super('INTERNAL', 'An unexpected error occurred. Quote the requestId when reporting it.', {
      cause,
    });
  }
}

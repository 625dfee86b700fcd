import { ErrorCode } from './error-codes';
import { ProblemError } from './problem.error';

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationFailedError extends ProblemError {
  constructor(readonly errors: FieldError[]) {
    super({
      status: 400,
      code: ErrorCode.VALIDATION_FAILED,
      title: 'Request validation failed',
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'The request is invalid',
      extensions: { errors },
    });
  }
}

export class InternalError extends ProblemError {
  constructor(cause?: unknown) {
    super({
      status: 500,
      code: ErrorCode.INTERNAL,
      title: 'Internal server error',
      detail: 'An unexpected error occurred. Quote the requestId when reporting it.',
      cause,
    });
  }
}

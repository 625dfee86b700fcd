import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-codes';
import { InternalError } from './http-errors';
import { ProblemError } from './problem.error';

const CODE_BY_STATUS: Partial<Record<number, string>> = {
  400: ErrorCode.BAD_REQUEST,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
};

/** `TOO_MANY_REQUESTS` from 429, for statuses that have no code of their own yet. */
function codeForStatus(status: number): string {
  const known = CODE_BY_STATUS[status];
  if (known) {
    return known;
  }
  const name: string | undefined = HttpStatus[status];
  return name ?? `HTTP_${status}`;
}

function titleForStatus(status: number): string {
  const name: string | undefined = HttpStatus[status];
  if (!name) {
    return `HTTP ${status}`;
  }
  const words = name.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Errors raised by Fastify itself before Nest sees the request (body limit, bad JSON, media type). */
interface FastifyClientError {
  statusCode: number;
  code?: string;
  message: string;
}

function isFastifyClientError(err: unknown): err is FastifyClientError {
  if (!(err instanceof Error)) {
    return false;
  }
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

function httpExceptionDetail(err: HttpException): string {
  const response = err.getResponse();
  if (typeof response === 'string') {
    return response;
  }
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) {
    return message.map(String).join('; ');
  }
  return typeof message === 'string' ? message : err.message;
}

/**
 * Narrows anything thrown while handling a request into our error contract. Errors we did not
 * raise on purpose and cannot classify become INTERNAL: their message never reaches the caller.
 */
export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) {
    return err;
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status >= 500) {
      return new InternalError(err);
    }
    return new ProblemError({
      status,
      code: codeForStatus(status),
      title: titleForStatus(status),
      detail: httpExceptionDetail(err),
      cause: err,
    });
  }
  if (isFastifyClientError(err)) {
    return new ProblemError({
      status: err.statusCode,
      code: codeForStatus(err.statusCode),
      title: titleForStatus(err.statusCode),
      detail: err.message,
      cause: err,
    });
  }
  return new InternalError(err);
}

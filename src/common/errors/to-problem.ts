import { HttpException, HttpStatus } from '@nestjs/common';
import { HttpError, type HttpErrorCode, InternalError } from './http-errors';
import { ProblemError } from './problem.error';

const CODE_BY_STATUS: Partial<Record<number, HttpErrorCode>> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  417: 'EXPECTATION_FAILED',
  431: 'HEADERS_TOO_LARGE',
};

/**
 * A 4xx that Fastify or Nest raised with a status no code of HTTP_ERRORS stands for. None is
 * known to occur; rather than answer it with another status, it keeps its own, and the status's
 * name (`TOO_MANY_REQUESTS` for 429) stands in for a code. The one problem outside the tables.
 */
class UnlistedStatusError extends ProblemError {
  constructor(status: number, detail: string, cause: unknown) {
    const name: string | undefined = HttpStatus[status];
    const words = name?.toLowerCase().replace(/_/g, ' ');
    super({
      status,
      code: name ?? `HTTP_${status}`,
      title: words ? words.charAt(0).toUpperCase() + words.slice(1) : `HTTP ${status}`,
      detail,
      cause,
    });
  }
}

function clientError(status: number, detail: string, cause: unknown): ProblemError {
  const code = CODE_BY_STATUS[status];
  return code
    ? new HttpError(code, detail, { cause })
    : new UnlistedStatusError(status, detail, cause);
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
    return clientError(status, httpExceptionDetail(err), err);
  }
  if (isFastifyClientError(err)) {
    return clientError(err.statusCode, err.message, err);
  }
  return new InternalError(err);
}

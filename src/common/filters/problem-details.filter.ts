import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ProblemError, problemType } from '../errors/problem.error';
import { toProblem } from '../errors/to-problem';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Carries the request id on every answer; a problem body repeats it as `requestId`. */
export const REQUEST_ID_HEADER = 'x-request-id';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  hint?: string;
  upstream?: ProblemError['upstream'];
  requestId: string;
  instance: string;
  [extension: string]: unknown;
}

export function problemBody(problem: ProblemError, request: FastifyRequest): ProblemBody {
  return {
    ...problem.extensions,
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    ...(problem.hint === undefined ? {} : { hint: problem.hint }),
    ...(problem.upstream === undefined ? {} : { upstream: problem.upstream }),
    requestId: String(request.id),
    // The path only: a query string may carry codes or tokens.
    instance: request.url.split('?', 1)[0] ?? '/',
  };
}

/**
 * Sends a problem as `application/problem+json`, with its own headers (e.g. WWW-Authenticate)
 * and the request id: set here too, since some answers (a 404 for a URL Fastify cannot decode)
 * skip the onRequest hook that sets it on the others.
 */
export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: ProblemError,
): void {
  void reply
    .status(problem.status)
    .headers(problem.headers)
    .header(REQUEST_ID_HEADER, String(request.id))
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problemBody(problem, request));
}

const logger = new Logger('ProblemDetailsFilter');

function logProblem(problem: ProblemError, exception: unknown, request: FastifyRequest): void {
  const fields = {
    reqId: request.id,
    code: problem.code,
    status: problem.status,
    method: request.method,
    path: request.url.split('?', 1)[0],
    upstream: problem.upstream,
  };
  if (problem.status >= 500) {
    // Upstream failures (502-504) are expected in operation; only our own 500s are bugs.
    const err = problem.status === 500 ? exception : problem;
    logger.error({ ...fields, err, msg: problem.detail });
  } else {
    logger.debug({ ...fields, msg: problem.detail });
  }
}

/**
 * Narrows, logs and answers anything thrown while handling a request. The filter below for
 * Nest's routes; Fastify's error handlers (frameworkErrors, routes of plugins) call it too.
 */
export function answerWithProblem(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const problem = toProblem(exception);
  logProblem(problem, exception, request);
  sendProblem(reply, request, problem);
}

/** Renders every error as `application/problem+json` (RFC 9457). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    answerWithProblem(exception, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>());
  }
}

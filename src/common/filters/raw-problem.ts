import { randomUUID } from 'node:crypto';
import {
  type IncomingMessage,
  maxHeaderSize,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors/http-errors';
import { type ProblemError, problemType } from '../errors/problem.error';
import { PROBLEM_CONTENT_TYPE, REQUEST_ID_HEADER } from './problem-details.filter';

/**
 * Problems Node answers before Fastify has a request: a malformed request line or headers,
 * headers over Node's limit (431), a request that did not arrive in time (408), an unknown
 * `Expect` (417) and `CONNECT`. Node's and Fastify's own answers to these are plain JSON or
 * empty; these are problem+json like every other error, with a request id (a fresh one: no
 * request was parsed) and `Connection: close`.
 */
function rawBody(problem: ProblemError, requestId: string): string {
  return JSON.stringify({
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    requestId,
  });
}

function headersOf(body: string, requestId: string): Record<string, string> {
  return {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    [REQUEST_ID_HEADER]: requestId,
    connection: 'close',
  };
}

/** Writes a whole HTTP/1.1 answer to a socket no ServerResponse owns, then closes it. */
function writeToSocket(socket: Duplex, problem: ProblemError, requestId: string): void {
  const body = rawBody(problem, requestId);
  const head = Object.entries(headersOf(body, requestId))
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n${head}\r\n\r\n${body}`,
  );
}

/** The problem for an error Node's HTTP parser or its timeouts raised on a connection. */
export function clientErrorProblem(err: Error & { code?: string }): ProblemError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new HttpError(
      'REQUEST_TIMEOUT',
      'The request did not arrive in time: its headers within HEADERS_TIMEOUT_MS, all of it within REQUEST_TIMEOUT_MS',
    );
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return new HttpError(
      'HEADERS_TOO_LARGE',
      `The request line and headers exceed ${maxHeaderSize} bytes`,
    );
  }
  return new HttpError(
    'BAD_REQUEST',
    `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`,
  );
}

/**
 * Fastify's `clientErrorHandler`. A connection reset or already destroyed needs no answer; a
 * response already started cannot take another (as Node's own handler does, it is only closed).
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Duplex,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }
  const problem = clientErrorProblem(err);
  const requestId = randomUUID();
  this.log.debug({ err, code: problem.code, requestId }, 'client error');
  // Node's private link from a socket to its in-flight response: answering past its head would
  // corrupt the stream.
  const response = (socket as { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !response?.headersSent) {
    writeToSocket(socket, problem, requestId);
  } else {
    socket.destroy();
  }
}

/**
 * The requests Node answers itself unless a listener takes them: an `Expect` other than
 * 100-continue (Node: an empty 417) and `CONNECT` (Node: the connection closed without a word).
 */
export function answerOutsideFastify(
  server: Server,
  requestIdOf: (req: IncomingMessage) => string,
): void {
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req);
    const problem = new HttpError('EXPECTATION_FAILED', 'Only "Expect: 100-continue" is supported');
    const body = rawBody(problem, requestId);
    res.writeHead(problem.status, headersOf(body, requestId)).end(body);
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const problem = new HttpError(
      'METHOD_NOT_ALLOWED',
      'CONNECT is not supported: the BFF is not a forward proxy',
    );
    writeToSocket(socket, problem, requestIdOf(req));
  });
}

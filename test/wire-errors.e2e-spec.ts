import type { AddressInfo } from 'node:net';
import { createValidatedTestApp, type TestApp } from './utils/test-app';
import { OpenApiValidator } from './utils/openapi-validator';
import { type RawAnswer, rawExchange } from './utils/raw-http';

const HOST = 'Host: bff.test\r\n';

/** Requests no HTTP client sends, each answered before or outside Nest's exception filter. */
const CASES: [string, string, number, string][] = [
  ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'BAD_REQUEST'],
  [
    'an invalid Content-Length',
    `POST /auth/login HTTP/1.1\r\n${HOST}Content-Length: abc\r\n\r\n`,
    400,
    'BAD_REQUEST',
  ],
  [
    'headers over 16 KB',
    `GET /health/live HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    431,
    'HEADERS_TOO_LARGE',
  ],
  [
    'a path parameter over 100 characters',
    `GET /users/${'a'.repeat(200)} HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
    414,
    'URI_TOO_LONG',
  ],
  [
    'a broken percent-encoding (FST_ERR_BAD_URL)',
    `GET /users/%E0%A4%A HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
    400,
    'BAD_REQUEST',
  ],
  [
    'an Expect other than 100-continue',
    `GET /health/live HTTP/1.1\r\n${HOST}Expect: teapot\r\nConnection: close\r\n\r\n`,
    417,
    'EXPECTATION_FAILED',
  ],
  [
    'CONNECT',
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    405,
    'METHOD_NOT_ALLOWED',
  ],
  [
    'an unknown route',
    `GET /nowhere HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
    404,
    'NOT_FOUND',
  ],
  [
    'a method no route takes, at a URL that does not decode',
    `PUT /users/%E0%A4%A/full-name HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
    404,
    'NOT_FOUND',
  ],
  [
    'an empty JSON body to the CORS preflight route',
    `OPTIONS /health/live HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    400,
    'BAD_REQUEST',
  ],
  [
    'invalid JSON',
    `POST /auth/login HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"a":`,
    400,
    'BAD_REQUEST',
  ],
  [
    'headers that never end (HEADERS_TIMEOUT_MS)',
    `GET /health/live HTTP/1.1\r\n${HOST}`,
    408,
    'REQUEST_TIMEOUT',
  ],
  [
    'a body that never ends (REQUEST_TIMEOUT_MS)',
    `POST /auth/login HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user`,
    408,
    'REQUEST_TIMEOUT',
  ],
];

interface Problem {
  status: number;
  code: string;
  requestId: string;
}

let openApi: OpenApiValidator;

/**
 * Validates a raw answer against the OpenAPI document, as the request line names it: these
 * answers never pass through inject, so createValidatedTestApp does not see them.
 */
function expectDocumented(request: string, answer: RawAnswer | undefined): void {
  const [, method = 'GET', url = '/'] = /^(\S+) (\S+) HTTP\//.exec(request) ?? [];
  openApi.expectValid(method, url.startsWith('/') ? url : '/', {
    status: answer?.status ?? 0,
    contentType: answer?.headers['content-type'],
    body: answer?.body ?? '',
  });
}

function expectProblem(answer: RawAnswer | undefined, status: number, code: string): void {
  expect(answer?.status).toBe(status);
  expect(answer?.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(answer?.body ?? 'null') as Problem;
  expect(body).toMatchObject({ status, code, requestId: expect.any(String) });
  expect(answer?.headers['x-request-id']).toBe(body.requestId);
}

describe('Errors on the wire: problem+json with a request id, whoever answers', () => {
  let sut: TestApp;
  let port: number;

  beforeAll(async () => {
    sut = await createValidatedTestApp({ HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '1500' });
    await sut.app.listen(0, '127.0.0.1');
    port = (sut.app.getHttpServer().address() as AddressInfo).port;
    openApi = await OpenApiValidator.of(sut);
  });

  afterAll(async () => {
    await sut.close();
  });

  it.each(CASES)('should answer %s with one problem+json', async (_name, request, status, code) => {
    const { answers } = await rawExchange(port, [request]);
    expect(answers).toHaveLength(1);
    expectProblem(answers[0], status, code);
    expectDocumented(request, answers[0]);
  });

  it('should cut a request that is not complete within its timeout, not before', async () => {
    const { answers, closedByServer, ms } = await rawExchange(port, [
      CASES.find(([name]) => name.startsWith('a body that never ends'))![1],
    ]);
    expect(answers.map((a) => a.status)).toEqual([408]);
    expect(closedByServer).toBe(true);
    // 1.5 s, checked twice a second.
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(3500);
  });

  it('should answer a request that arrives during shutdown 503 SHUTTING_DOWN, closing the connection', async () => {
    const closing = await createValidatedTestApp();
    await closing.app.listen(0, '127.0.0.1');
    const { port: closingPort } = closing.app.getHttpServer().address() as AddressInfo;
    const body = JSON.stringify({ username: 'nobody', password: 'x' });
    let closed: Promise<void> | undefined;
    // A request in flight keeps its connection open through the close; the next one on it,
    // pipelined, arrives while the server is closing.
    const { answers } = await rawExchange(closingPort, [
      `POST /auth/login HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      (socket) => {
        setTimeout(() => {
          closed = closing.close();
          setTimeout(
            () => socket.write(`${body.slice(5)}GET /health/live HTTP/1.1\r\n${HOST}\r\n`),
            200,
          );
        }, 200);
      },
    ]);
    await closed;
    expect(answers.map((a) => a.status)).toEqual([401, 503]);
    expectProblem(answers[1], 503, 'SHUTTING_DOWN');
    expectDocumented(`POST /auth/login HTTP/1.1`, answers[0]);
    expectDocumented(`GET /health/live HTTP/1.1`, answers[1]);
    expect(answers[1]?.headers.connection).toBe('close');
  });
});

import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { clientErrorHandler, clientErrorProblem } from './raw-problem';

const error = (code: string) => Object.assign(new Error(code), { code });

function socket(response?: { headersSent: boolean }) {
  const sut = Object.assign(new PassThrough(), { _httpMessage: response });
  let written = '';
  sut.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { sut, written: () => written };
}

const fastify = { log: { debug: jest.fn() } } as unknown as FastifyInstance;

describe(clientErrorProblem.name, () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['HPE_INVALID_METHOD', 400, 'BAD_REQUEST'],
  ])('should answer %s %i %s', (code, status, problem) => {
    expect(clientErrorProblem(error(code))).toMatchObject({ status, code: problem });
  });
});

describe(clientErrorHandler.name, () => {
  it('should write one problem+json answer with a request id and close', async () => {
    const { sut, written } = socket();
    clientErrorHandler.call(fastify, error('HPE_INVALID_METHOD'), sut);
    await new Promise((resolve) => sut.once('close', resolve));
    const [head = '', body = ''] = written().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('content-type: application/problem+json; charset=utf-8');
    expect(head).toContain('connection: close');
    const problem = JSON.parse(body) as { code: string; requestId: string };
    expect(problem.code).toBe('BAD_REQUEST');
    expect(head).toContain(`x-request-id: ${problem.requestId}`);
  });

  it('should only close a connection whose answer has begun', () => {
    const { sut, written } = socket({ headersSent: true });
    clientErrorHandler.call(fastify, error('ERR_HTTP_REQUEST_TIMEOUT'), sut);
    expect(sut.destroyed).toBe(true);
    expect(written()).toBe('');
  });
});

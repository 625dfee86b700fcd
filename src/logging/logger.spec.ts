import { Writable } from 'node:stream';
import pino from 'pino';
import { createRootLogger } from './logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe(createRootLogger.name, () => {
  it('should redact secrets and keep the request and response fields', () => {
    const { stream, lines } = capture();
    const sut = createRootLogger('info', stream);
    const req = Object.create({
      get method() {
        return 'POST';
      },
      get url() {
        return '/auth/login?code=x';
      },
    }) as object;
    Object.assign(req, { id: 'r1', ip: '127.0.0.1', headers: { authorization: 'Bearer abc' } });
    sut.info(
      { req, res: { statusCode: 401 }, body: { password: 'hunter2', username: 'alice' } },
      'login',
    );
    const [line] = lines();
    expect(line).toMatchObject({
      req: { id: 'r1', method: 'POST', path: '/auth/login', ip: '127.0.0.1' },
      res: { statusCode: 401 },
      body: { password: '[REDACTED]', username: 'alice' },
      msg: 'login',
    });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|Bearer abc|code=x/);
  });

  it('should redact errors and their message', () => {
    const { stream, lines } = capture();
    createRootLogger('info', stream).error(
      { err: new Error('grant failed: password=hunter2') },
      'boom',
    );
    expect(JSON.stringify(lines()[0])).not.toContain('hunter2');
  });

  it('should honour the level', () => {
    const { stream, lines } = capture();
    const sut = createRootLogger('warn', stream);
    sut.info('hidden');
    sut.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
    expect(pino.levels.values.warn).toBe(40);
  });
});

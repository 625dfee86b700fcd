import { REDACTED, redact, redactString } from './redact';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

describe(redact.name, () => {
  it('should replace secret keys at any depth', () => {
    const sut = redact({
      req: { headers: { authorization: 'Bearer x', cookie: 'sid=1', 'user-agent': 'curl' } },
      body: {
        username: 'alice',
        password: 'alice-password',
        refresh_token: 'r',
        client_secret: 's',
      },
      list: [{ access_token: 'a', id_token: 'i' }],
    });
    expect(sut).toEqual({
      req: { headers: { authorization: REDACTED, cookie: REDACTED, 'user-agent': 'curl' } },
      body: {
        username: 'alice',
        password: REDACTED,
        refresh_token: REDACTED,
        client_secret: REDACTED,
      },
      list: [{ access_token: REDACTED, id_token: REDACTED }],
    });
  });

  it('should scrub JWTs, bearer credentials and form secrets inside strings', () => {
    expect(redactString(`token ${JWT} end`)).toBe(`token ${REDACTED} end`);
    expect(redactString('Authorization: Bearer abc.def')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString('grant_type=password&password=hunter2&client_secret=s3')).toBe(
      `grant_type=password&password=${REDACTED}&client_secret=${REDACTED}`,
    );
  });

  it('should redact errors and their causes', () => {
    const err = new Error(`bad ${JWT}`, { cause: new Error('password=hunter2') });
    const sut = redact({ err }) as { err: { message: string; cause: { message: string } } };
    expect(sut.err.message).toBe(`bad ${REDACTED}`);
    expect(sut.err.cause.message).toBe(`password=${REDACTED}`);
  });

  it('should survive cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Truncated]' });
  });
});

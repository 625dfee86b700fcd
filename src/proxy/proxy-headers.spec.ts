import { downstreamResponseHeaders, newTraceparent, upstreamRequestHeaders } from './proxy-headers';

const forwarded = {
  forwardedFor: '10.0.0.1, 127.0.0.1',
  proto: 'https',
  host: 'app.example',
  requestId: 'req-1',
};

describe(upstreamRequestHeaders.name, () => {
  const browser = {
    host: 'app.example',
    cookie: '__Host-bff-session=abc',
    authorization: 'Bearer browser-token',
    'x-csrf': '1',
    connection: 'keep-alive, x-secret',
    'x-secret': 'hop',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'x-forwarded-for': '6.6.6.6',
    accept: 'application/json',
  };

  it('should keep the browser’s credentials and hop-by-hop headers here', () => {
    const sut = upstreamRequestHeaders(browser, 'x-csrf', 'route-token', forwarded);
    expect(sut).toMatchObject({
      authorization: 'Bearer route-token',
      accept: 'application/json',
      'x-forwarded-for': '10.0.0.1, 127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example',
      'x-request-id': 'req-1',
    });
    for (const name of [
      'cookie',
      'x-csrf',
      'connection',
      'x-secret',
      'keep-alive',
      'transfer-encoding',
    ]) {
      expect(sut).not.toHaveProperty(name);
    }
  });

  it('should send no Authorization without a route token', () => {
    expect(upstreamRequestHeaders(browser, 'x-csrf', undefined, forwarded)).not.toHaveProperty(
      'authorization',
    );
  });

  it('should pass a valid traceparent on and replace an invalid one', () => {
    const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(
      upstreamRequestHeaders({ traceparent: valid }, 'x-csrf', undefined, forwarded).traceparent,
    ).toBe(valid);
    const replaced = upstreamRequestHeaders(
      { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01', tracestate: 'a=b' },
      'x-csrf',
      undefined,
      forwarded,
    );
    expect(replaced.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(replaced).not.toHaveProperty('tracestate');
  });
});

describe('upstreamRequestHeaders with OpenTelemetry propagating', () => {
  it('should leave traceparent and tracestate to the instrumentation', () => {
    const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const sut = upstreamRequestHeaders(
      { traceparent: valid, tracestate: 'a=b', accept: '*/*' },
      'x-csrf',
      undefined,
      forwarded,
      true,
    );
    expect(sut).not.toHaveProperty('traceparent');
    expect(sut).not.toHaveProperty('tracestate');
    expect(sut.accept).toBe('*/*');
  });
});

describe(newTraceparent.name, () => {
  it('should make a new trace id each time', () => {
    expect(newTraceparent()).not.toBe(newTraceparent());
  });
});

describe(downstreamResponseHeaders.name, () => {
  const own = new Set(['__Host-bff-session', '__Host-bff-session-login']);

  it('should drop Set-Cookie lines for the BFF’s own cookies and keep the API’s', () => {
    const sut = downstreamResponseHeaders(
      {
        'set-cookie': [
          '__Host-bff-session=evil; Path=/',
          ' __Host-bff-session-login = x; Max-Age=0',
          'orders-view=list; Path=/',
        ],
        'content-type': 'application/json',
      },
      own,
    );
    expect(sut['set-cookie']).toEqual(['orders-view=list; Path=/']);
    expect(sut['content-type']).toBe('application/json');
  });

  it('should drop the header when only the BFF’s cookies were set', () => {
    expect(
      downstreamResponseHeaders({ 'set-cookie': ['__Host-bff-session=; Max-Age=0'] }, own),
    ).not.toHaveProperty('set-cookie');
  });

  it('should drop hop-by-hop headers', () => {
    const sut = downstreamResponseHeaders(
      {
        connection: 'keep-alive, x-internal',
        'x-internal': '1',
        'keep-alive': 'timeout=5',
        etag: '"1"',
      },
      own,
    );
    expect(sut).toEqual({ etag: '"1"' });
  });
});

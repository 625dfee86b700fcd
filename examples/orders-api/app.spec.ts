import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { OrdersApiConfig } from './config';
import { pattern } from './routes/transfer.routes';
import { ISSUER, TokenFactory } from './testing/token-factory';
import { TokenVerifier } from './token-verifier';

const CONFIG: OrdersApiConfig = {
  port: 0,
  host: '127.0.0.1',
  jwksUri: 'http://keycloak.test/realms/demo/protocol/openid-connect/certs',
  issuer: ISSUER,
  audience: 'orders-api',
  soleAudience: false,
  clientId: 'orders-api',
  csrfHeader: 'x-csrf',
  bffCookieName: '__Host-bff-session',
  logLevel: 'silent',
  shutdownTimeoutMs: 1000,
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe(buildApp.name, () => {
  const tokens = new TokenFactory();
  const reader = tokens.token();
  const writer = tokens.token({
    resource_access: { 'orders-api': { roles: ['orders:read', 'orders:write'] } },
  });
  let sut: FastifyInstance;

  beforeEach(async () => {
    sut = buildApp(
      CONFIG,
      new TokenVerifier(tokens, { issuer: ISSUER, audience: 'orders-api', soleAudience: false }),
    );
    await sut.ready();
  });

  afterEach(async () => {
    await sut.close();
  });

  describe('GET /orders', () => {
    it('should answer the orders and what it saw of the caller, as presence only for secrets', async () => {
      const res = await sut.inject({
        method: 'GET',
        url: '/orders?limit=2',
        headers: {
          ...bearer(reader),
          cookie: '__Host-bff-session=s3cret',
          'x-csrf': '1',
          'x-forwarded-for': '203.0.113.7',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'app.example.com',
          'x-request-id': 'req-1',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ orders: unknown[]; seen: Record<string, unknown> }>();
      expect(body.orders).toHaveLength(2);
      expect(body.seen).toEqual({
        method: 'GET',
        url: '/orders?limit=2',
        token: true,
        sub: 'alice-id',
        preferred_username: 'alice',
        aud: ['orders-api'],
        azp: 'bff',
        scope: 'openid profile',
        roles: ['orders:read'],
        iat: expect.any(Number),
        exp: expect.any(Number),
        cookie: true,
        csrf: true,
        otherAuthorization: false,
        headers: {
          'x-forwarded-for': '203.0.113.7',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'app.example.com',
          'x-request-id': 'req-1',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
        headerNames: expect.arrayContaining(['authorization', 'cookie', 'x-csrf']),
      });
      expect(res.body).not.toContain('s3cret');
    });

    it('should report a CSRF header under the configured name only', async () => {
      await sut.close();
      sut = buildApp(
        { ...CONFIG, csrfHeader: 'x-xsrf' },
        new TokenVerifier(tokens, { issuer: ISSUER, audience: 'orders-api', soleAudience: false }),
      );
      const plain = await sut.inject({
        url: '/orders',
        headers: { ...bearer(reader), 'x-csrf': '1' },
      });
      expect(plain.json()).toMatchObject({ seen: { csrf: false } });
      const named = await sut.inject({
        url: '/orders',
        headers: { ...bearer(reader), 'X-XSRF': '1' },
      });
      expect(named.json()).toMatchObject({ seen: { csrf: true } });
    });

    it('should answer 401 with a bare Bearer challenge when no token comes (RFC 6750 §3.1)', async () => {
      const res = await sut.inject({ url: '/orders', headers: { authorization: 'Basic YTpi' } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="orders-api"');
      expect(res.json()).toEqual({
        error: 'missing_token',
        error_description: 'A bearer token is required',
        status: 401,
      });
    });

    it('should answer 401 invalid_token with the reason in the challenge for a bad token', async () => {
      const res = await sut.inject({
        url: '/orders',
        headers: bearer(tokens.token({ aud: 'bff' })),
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="orders-api", error="invalid_token", error_description="The token is not meant for orders-api: its aud is [bff]"',
      );
      expect(res.json()).toMatchObject({ error: 'invalid_token', status: 401 });
    });

    it.each([`Bearer ${reader}, Bearer ${reader}`, 'Bearer', 'bearer a b'])(
      'should refuse a malformed bearer credential as invalid_request: %s',
      async (authorization) => {
        const res = await sut.inject({ url: '/orders', headers: { authorization } });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: 'invalid_request' });
      },
    );

    it('should answer 403 insufficient_scope to a token without orders:read', async () => {
      const res = await sut.inject({
        url: '/orders',
        headers: bearer(tokens.token({ resource_access: { billing: { roles: ['orders:read'] } } })),
      });
      expect(res.statusCode).toBe(403);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="orders-api", error="insufficient_scope", scope="orders:read"',
      );
      expect(res.json()).toMatchObject({ error: 'insufficient_scope', required: 'orders:read' });
    });

    it('should validate the query string', async () => {
      const res = await sut.inject({ url: '/orders?limit=lots', headers: bearer(reader) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request', status: 400 });
    });
  });

  describe('POST /orders', () => {
    const order = { item: 'Green tea', quantity: 3 };

    it('should create with orders:write as a client role and echo the order', async () => {
      const res = await sut.inject({
        method: 'POST',
        url: '/orders',
        headers: bearer(writer),
        payload: order,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        order: {
          ...order,
          id: expect.stringMatching(/^ord-/),
          status: 'placed',
          owner: 'alice-id',
        },
        received: order,
        seen: { method: 'POST', sub: 'alice-id' },
      });
    });

    it('should create with orders:write as a scope', async () => {
      const scoped = tokens.token({ scope: 'openid orders:write', resource_access: {} });
      const res = await sut.inject({
        method: 'POST',
        url: '/orders',
        headers: bearer(scoped),
        payload: order,
      });
      expect(res.statusCode).toBe(201);
    });

    it('should refuse a reader with 403 naming orders:write', async () => {
      const res = await sut.inject({
        method: 'POST',
        url: '/orders',
        headers: bearer(reader),
        payload: order,
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        error: 'insufficient_scope',
        error_description:
          "The token grants neither the scope nor the orders-api client role 'orders:write'",
        status: 403,
        required: 'orders:write',
      });
    });

    it('should refuse an order with an unknown field as invalid_request', async () => {
      const res = await sut.inject({
        method: 'POST',
        url: '/orders',
        headers: bearer(writer),
        payload: { ...order, price: 0 },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('should refuse a caller without a token before parsing the body', async () => {
      const res = await sut.inject({
        method: 'POST',
        url: '/orders',
        headers: { 'content-type': 'application/json' },
        payload: '{not json',
      });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('GET /public/info', () => {
    it('should greet a guest and report that no token came', async () => {
      const res = await sut.inject({
        url: '/public/info',
        headers: { authorization: 'Basic YTpi' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        greeting: 'Hello, guest',
        seen: { token: false, sub: null, aud: [], otherAuthorization: true },
      });
    });

    it('should personalise for a valid token and refuse an invalid one', async () => {
      const ok = await sut.inject({ url: '/public/info', headers: bearer(reader) });
      expect(ok.json()).toMatchObject({
        greeting: 'Hello, alice',
        seen: { token: true, sub: 'alice-id' },
      });
      const bad = await sut.inject({
        url: '/public/info',
        headers: bearer(tokens.token({ aud: 'bff' })),
      });
      expect(bad.statusCode).toBe(401);
    });
  });

  describe('POST /upload and GET /download', () => {
    it('should count the bytes of any content type and hash them', async () => {
      const body = Buffer.alloc(300_000, 7);
      const res = await sut.inject({
        method: 'POST',
        url: '/upload',
        headers: { ...bearer(writer), 'content-type': 'application/json' },
        payload: body,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        bytes: 300_000,
        sha256: createHash('sha256').update(body).digest('hex'),
        contentType: 'application/json',
      });
    });

    it('should count an empty upload as 0 bytes', async () => {
      const res = await sut.inject({ method: 'POST', url: '/upload', headers: bearer(writer) });
      expect(res.json()).toMatchObject({ bytes: 0 });
    });

    it('should need orders:write to upload', async () => {
      const res = await sut.inject({
        method: 'POST',
        url: '/upload',
        headers: bearer(reader),
        payload: 'x',
      });
      expect(res.statusCode).toBe(403);
    });

    it('should stream the requested number of bytes, byte i being i % 256', async () => {
      const res = await sut.inject({ url: '/download?bytes=200000', headers: bearer(reader) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-length']).toBe('200000');
      expect(res.rawPayload).toHaveLength(200_000);
      expect([...res.rawPayload.subarray(65_534, 65_538)]).toEqual([254, 255, 0, 1]);
      expect(res.rawPayload[199_999]).toBe(199_999 % 256);
    });

    it('should produce exactly the bytes it promises in chunks of at most 64 KiB', () => {
      const chunks = [...pattern(150_000)];
      expect(chunks.map((c) => c.length)).toEqual([65_536, 65_536, 18_928]);
      expect([...pattern(0)]).toEqual([]);
    });
  });

  describe('GET /slow', () => {
    it('should wait the asked time before answering', async () => {
      const started = Date.now();
      const res = await sut.inject({ url: '/slow?ms=300', headers: bearer(reader) });
      expect(res.statusCode).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(res.json<{ waitedMs: number }>().waitedMs).toBeGreaterThanOrEqual(290);
    });

    it('should refuse a wait beyond two minutes', async () => {
      const res = await sut.inject({ url: '/slow?ms=120001', headers: bearer(reader) });
      expect(res.statusCode).toBe(400);
    });

    it('should end a wait with 503 when the server closes', async () => {
      const pending = sut.inject({ url: '/slow?ms=60000', headers: bearer(reader) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const [res] = await Promise.all([pending, sut.close()]);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: 'shutting_down' });
    });
  });

  describe('GET /set-cookie', () => {
    it("should try to set the BFF's session and login cookies beside its own", async () => {
      const res = await sut.inject({ url: '/set-cookie', headers: bearer(reader) });
      expect(res.headers['set-cookie']).toEqual([
        '__Host-bff-session=set-by-orders-api; Path=/; Secure; HttpOnly; SameSite=Strict',
        '__Host-bff-session-login=set-by-orders-api; Path=/; Secure; HttpOnly; SameSite=Lax',
        'orders-view=compact; Path=/; SameSite=Lax',
      ]);
    });
  });

  describe('the refuse header', () => {
    const get = (value: string) =>
      sut.inject({ url: '/orders', headers: { ...bearer(reader), 'x-orders-api-refuse': value } });

    it('should refuse the first request of a key with invalid_token, then let the key through', async () => {
      const first = await get('retry-a');
      expect(first.statusCode).toBe(401);
      expect(first.headers['www-authenticate']).toMatch(
        /^Bearer realm="orders-api", error="invalid_token"/,
      );
      expect(first.json()).toMatchObject({ error: 'invalid_token', attempt: 1 });
      const second = await get('retry-a');
      expect(second.statusCode).toBe(200);
      expect(second.json()).toMatchObject({ seen: { attempt: 2 } });
      expect((await get('retry-b')).statusCode).toBe(401);
    });

    it('should refuse as many times as asked', async () => {
      expect((await get('twice:2')).statusCode).toBe(401);
      expect((await get('twice:2')).json()).toMatchObject({ attempt: 2 });
      expect((await get('twice:2')).statusCode).toBe(200);
    });

    it('should refuse a malformed value as invalid_request', async () => {
      expect((await get('no spaces please')).statusCode).toBe(400);
    });
  });

  it('should answer unknown routes with a JSON 404', async () => {
    const res = await sut.inject({ url: '/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'not_found',
      error_description: 'No route GET /nowhere',
      status: 404,
    });
  });

  it('should answer an unexpected failure with a bare 500', async () => {
    jest.spyOn(tokens, 'key').mockRejectedValue(new Error('secret internals'));
    const res = await sut.inject({ url: '/orders', headers: bearer(reader) });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: 'server_error',
      error_description: 'Internal error',
      status: 500,
    });
  });
});

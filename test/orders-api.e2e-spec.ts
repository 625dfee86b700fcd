import { createHash, generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { sign } from 'jsonwebtoken';
import { freePort } from '../scripts/keycloak/distribution';
import { decodeJwt, kc, passwordGrant } from './utils/keycloak';
import { OrdersApiProcess, syncOrdersApiRoles } from './utils/orders-api';

const TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * RFC 8693 standard token exchange as the BFF's client. subject_token_type is required by
 * §2.1, and Keycloak needs it to choose the standard exchange: without it, a Keycloak with the
 * legacy feature on takes the legacy path, whose tokens also carry aud `account`.
 */
async function exchangeForOrdersApi(subjectToken: string): Promise<string> {
  const res = await fetch(`${kc.realmUrl()}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      client_id: 'bff',
      client_secret: 'bff-secret',
      subject_token: subjectToken,
      subject_token_type: TOKEN_TYPE,
      requested_token_type: TOKEN_TYPE,
      audience: 'orders-api',
    }),
  });
  if (!res.ok) {
    throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  }
  return ((await res.json()) as { access_token: string }).access_token;
}

interface Seen {
  sub: string | null;
  preferred_username: string | null;
  aud: string[];
  azp: string | null;
  roles: string[];
  token: boolean;
}

/** One raw HTTP/1.1 request, for header layouts fetch cannot send (two Authorization lines). */
function rawRequest(url: string, lines: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(
        [...lines, `Host: ${hostname}:${port}`, 'Connection: close', '', ''].join('\r\n'),
      ),
    );
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe(OrdersApiProcess.name, () => {
  const env = () => ({ KEYCLOAK_URL: kc.url(), KEYCLOAK_REALM: 'demo', LOG_LEVEL: 'warn' });
  let roleChanges: string[];
  let sut: OrdersApiProcess;
  let alice: string;
  let aliceForOrders: string;

  beforeAll(async () => {
    // A Keycloak kept running may have imported an older realm-export.json (see the test below).
    roleChanges = await syncOrdersApiRoles();
    sut = await OrdersApiProcess.start(env());
    alice = (await passwordGrant('alice', 'alice-password')).access_token;
    aliceForOrders = await exchangeForOrdersApi(alice);
  });

  afterAll(async () => {
    await sut.stop();
  });

  it('should find the orders-api roles of realm-export.json in Keycloak', async () => {
    if (process.env.KEYCLOAK_HARNESS_SOURCE === 'external') {
      // Somebody else's Keycloak may predate the file; once synced, it must stay so.
      expect(await syncOrdersApiRoles()).toEqual([]);
    } else {
      // The harness imported the file itself: the file alone must have the roles.
      expect(roleChanges).toEqual([]);
    }
  });

  it("should accept alice's token exchanged for orders-api and report her sub, aud and azp", async () => {
    const res = await fetch(`${sut.url}/orders`, { headers: bearer(aliceForOrders) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { orders: unknown[]; seen: Seen };
    expect(body.orders.length).toBeGreaterThan(0);
    expect(body.seen).toMatchObject({
      token: true,
      sub: decodeJwt(alice).payload.sub,
      preferred_username: 'alice',
      aud: ['orders-api'],
      azp: 'bff',
    });
    expect(body.seen.roles).toEqual(expect.arrayContaining(['orders:read', 'orders:write']));
  });

  it('should refuse a token without orders-api in aud with 401 invalid_token', async () => {
    // bob holds no orders-api role, so Keycloak does not address his token to orders-api.
    const bob = (await passwordGrant('bob', 'bob-password')).access_token;
    expect(decodeJwt(bob).payload.aud).not.toContain('orders-api');
    const res = await fetch(`${sut.url}/orders`, { headers: bearer(bob) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="orders-api", error="invalid_token", error_description="The token is not meant for orders-api/,
    );
    expect(await res.json()).toMatchObject({ error: 'invalid_token', status: 401 });
  });

  it('should answer 401 with a bare Bearer challenge when no token comes', async () => {
    const res = await fetch(`${sut.url}/orders`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="orders-api"');
    expect(await res.json()).toMatchObject({ error: 'missing_token' });
  });

  it('should refuse a token signed with a key the realm does not have', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = sign(
      { ...decodeJwt(aliceForOrders).payload, exp: Math.floor(Date.now() / 1000) + 60 },
      privateKey,
      { algorithm: 'RS256', keyid: 'not-a-realm-key' },
    );
    const res = await fetch(`${sut.url}/orders`, { headers: bearer(forged) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error_description: "The token's signing key 'not-a-realm-key' is not one of the realm's",
    });
  });

  it('should refuse two Authorization lines as invalid_request', async () => {
    const answer = await rawRequest(sut.url, [
      'GET /orders HTTP/1.1',
      `Authorization: Bearer ${aliceForOrders}`,
      `Authorization: Bearer ${aliceForOrders}`,
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"error":"invalid_request"');
  });

  it('should let alice create an order and refuse wang, who may only read', async () => {
    const order = { item: 'Oolong, 100 g', quantity: 1 };
    const post = (token: string) =>
      fetch(`${sut.url}/orders`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
    const created = await post(aliceForOrders);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      order: { ...order, owner: decodeJwt(alice).payload.sub },
    });

    const wang = await exchangeForOrdersApi(
      (await passwordGrant('wang', 'wang-password')).access_token,
    );
    expect((await fetch(`${sut.url}/orders`, { headers: bearer(wang) })).status).toBe(200);
    const refused = await post(wang);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: 'insufficient_scope',
      required: 'orders:write',
    });
  });

  it('should count all 10,485,760 bytes of a 10 MB upload', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x61);
    const res = await fetch(`${sut.url}/upload`, {
      method: 'POST',
      headers: { ...bearer(aliceForOrders), 'content-type': 'application/octet-stream' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      bytes: 10_485_760,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
  });

  it('should stream a 10 MB download', async () => {
    const res = await fetch(`${sut.url}/download?bytes=10485760`, {
      headers: bearer(aliceForOrders),
    });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(10_485_760);
  });

  it('should wait as long as asked on /slow', async () => {
    const started = Date.now();
    const res = await fetch(`${sut.url}/slow?ms=1500`, { headers: bearer(aliceForOrders) });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(5000);
  });

  describe('with ORDERS_API_SOLE_AUDIENCE=true', () => {
    let strict: OrdersApiProcess;

    beforeAll(async () => {
      strict = await OrdersApiProcess.start({
        ...env(),
        ORDERS_API_SOLE_AUDIENCE: 'true',
        LOG_LEVEL: 'info',
      });
    });

    afterAll(async () => {
      await strict.stop();
    });

    it("should refuse alice's plain bff token, which Keycloak addresses to orders-api too", async () => {
      // Keycloak adds every client whose roles the user holds to aud ("audience resolve"), so
      // alice's token for the BFF is also good at orders-api unless orders-api insists on being
      // the only audience.
      expect(decodeJwt(alice).payload.aud).toEqual(expect.arrayContaining(['bff', 'orders-api']));
      expect((await fetch(`${sut.url}/orders`, { headers: bearer(alice) })).status).toBe(200);

      const res = await fetch(`${strict.url}/orders`, { headers: bearer(alice) });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: 'invalid_token',
        error_description: expect.stringContaining('only tokens for orders-api alone are accepted'),
      });
      expect(
        (await fetch(`${strict.url}/orders`, { headers: bearer(aliceForOrders) })).status,
      ).toBe(200);
    });

    it('should exit 0 on SIGTERM after closing the server', async () => {
      expect(await strict.stop()).toBe(0);
      expect(strict.stdout()).toContain('"msg":"orders-api stopped"');
    });
  });

  it("should answer 503 while the realm's keys cannot be fetched", async () => {
    const blind = await OrdersApiProcess.start({
      ...env(),
      KEYCLOAK_URL: `http://127.0.0.1:${await freePort()}`,
      KEYCLOAK_PUBLIC_URL: kc.url(),
    });
    try {
      const res = await fetch(`${blind.url}/orders`, { headers: bearer(aliceForOrders) });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      await blind.stop();
    }
  });

  it('should exit 1 naming each bad variable on a line of its own', async () => {
    const bad = await OrdersApiProcess.spawn({ KEYCLOAK_URL: 'keycloak:8080', PORT: 'http' });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr().trim().split('\n')).toEqual([
      'orders-api: configuration error: PORT is invalid: must be a port number from 1 to 65535 (example: PORT=4000)',
      'orders-api: configuration error: KEYCLOAK_URL is invalid: must be an http(s) URL of the Keycloak server (example: KEYCLOAK_URL=http://127.0.0.1:8080)',
      'orders-api: configuration error: KEYCLOAK_REALM is required (example: KEYCLOAK_REALM=demo)',
    ]);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/keycloak/distribution';
import { browserlessLogin, CookieJar, sessionEnv } from './utils/browserless';
import { startHangingProxy, type HangingProxy } from './utils/hanging-proxy';
import { kc, passwordGrant } from './utils/keycloak';
import { OrdersApiProcess, syncOrdersApiRoles } from './utils/orders-api';
import { rawExchange } from './utils/raw-http';
import { demoServiceEnv, runService, waitForLive, type Run } from './utils/service-process';

/** What orders-api reports receiving (examples/orders-api/README.md, `seen`). */
interface Seen {
  method: string;
  url: string;
  token: boolean;
  sub: string | null;
  preferred_username: string | null;
  aud: string[];
  azp: string | null;
  cookie: boolean;
  csrf: boolean;
  otherAuthorization: boolean;
  attempt?: number;
  headers: Record<string, string | null>;
  headerNames: string[];
}

interface Problem {
  code: string;
  status: number;
  detail: string;
  hint?: string;
}

const CSRF = { 'x-csrf': '1' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const EXCHANGE_GRANT = 'token-exchange';

/** The routes file of the test, beside one for a second orders-api that the test stops. */
function routes(api: string, stoppedApi: string): unknown[] {
  return [
    { prefix: '/api/orders', target: api, token: 'exchange', audience: 'orders-api' },
    { prefix: '/api/as-user', target: api, token: 'user' },
    { prefix: '/api/as-bff', target: api, token: 'client' },
    {
      prefix: '/api/public',
      target: `${api}/public`,
      token: 'user-or-none',
      audience: 'orders-api',
    },
    { prefix: '/api/status', target: `${api}/public`, token: 'none' },
    {
      prefix: '/api/admin-orders',
      target: api,
      token: 'exchange',
      audience: 'orders-api',
      roles: ['admin'],
    },
    {
      prefix: '/api/quick',
      target: api,
      token: 'exchange',
      audience: 'orders-api',
      timeoutMs: 1000,
    },
    {
      prefix: '/api/small',
      target: api,
      token: 'exchange',
      audience: 'orders-api',
      bodyLimitBytes: 1000,
    },
    { prefix: '/api/stopped', target: stoppedApi, token: 'none' },
  ];
}

/** Peak resident memory of a process while `work` runs, sampled every 10 ms (Linux /proc). */
async function rssGrowthDuring(pid: number, work: () => Promise<void>): Promise<number> {
  const rss = (): number => {
    const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(line?.[1] ?? NaN) * 1024;
  };
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, rss()) - before;
}

describe('API proxy (real Keycloak, real orders-api, the built BFF)', () => {
  let keycloak: HangingProxy;
  let api: OrdersApiProcess;
  let stoppedApi: OrdersApiProcess;
  const runs: Run[] = [];
  let cookieBff = '';
  let bearerBff = '';
  let cookieBffPid = 0;
  let alice = '';
  let aliceSub = '';
  const aliceJar = new CookieJar();

  async function startBff(env: Record<string, string>, port: number): Promise<Run> {
    const run = runService(env);
    runs.push(run);
    await waitForLive(port, run);
    return run;
  }

  beforeAll(async () => {
    await syncOrdersApiRoles();
    const apiEnv = { KEYCLOAK_URL: kc.url(), KEYCLOAK_REALM: 'demo', LOG_LEVEL: 'warn' };
    [keycloak, api, stoppedApi] = await Promise.all([
      startHangingProxy(kc.url()),
      OrdersApiProcess.start(apiEnv),
      OrdersApiProcess.start(apiEnv),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'bff-proxy-'));
    const routesFile = join(dir, 'api-routes.json');
    writeFileSync(routesFile, JSON.stringify(routes(api.url, stoppedApi.url)));
    const common = {
      // Keycloak's back channel through the counting proxy; tokens still name Keycloak itself.
      KEYCLOAK_URL: keycloak.url,
      KEYCLOAK_PUBLIC_URL: kc.url(),
      KEYCLOAK_REALM: 'demo',
      API_ROUTES_FILE: routesFile,
      TOKEN_EXCHANGE_AUDIENCES: 'orders-api',
      LOG_LEVEL: 'warn',
    };
    const [cookiePort, bearerPort] = await Promise.all([freePort(), freePort()]);
    cookieBff = `http://127.0.0.1:${cookiePort}`;
    bearerBff = `http://127.0.0.1:${bearerPort}`;
    const [cookieRun] = await Promise.all([
      startBff({ ...sessionEnv(cookiePort), ...common }, cookiePort),
      startBff({ ...demoServiceEnv(bearerPort), ...common }, bearerPort),
    ]);
    cookieBffPid = cookieRun.child.pid ?? 0;
    const login = await browserlessLogin(aliceJar, cookieBff);
    expect(login.status).toBe(302);
    const tokens = await passwordGrant('alice', 'alice-password');
    alice = tokens.access_token;
    aliceSub = JSON.parse(
      Buffer.from(alice.split('.')[1] ?? '', 'base64url').toString(),
    ) // sub
    .sub as string;
  }, 120_000);

  afterAll(async () => {
    for (const run of runs) {
      run.child.kill('SIGTERM');
    }
    await Promise.all(runs.map((run) => run.exited));
    await Promise.all([api.stop(), stoppedApi.stop(), keycloak.close()]);
  });

  describe('a cookie caller (alice, logged in through the code flow)', () => {
    it('should reach orders-api with a token for orders-api alone, and none of her browser credentials', async () => {
      const res = await aliceJar.fetch(`${cookieBff}/api/orders/orders?limit=2`, {
        headers: { ...CSRF, traceparent: 'bogus' },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { orders: unknown[]; seen: Seen };
      expect(body.orders).toHaveLength(2);
      expect(body.seen).toMatchObject({
        method: 'GET',
        url: '/orders?limit=2',
        token: true,
        sub: aliceSub,
        preferred_username: 'alice',
        aud: ['orders-api'],
        cookie: false,
        csrf: false,
        otherAuthorization: false,
      });
      expect(body.seen.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(body.seen.headers['x-forwarded-proto']).toBe('http');
      expect(body.seen.headers['x-forwarded-host']).toBe(new URL(cookieBff).host);
      expect(body.seen.headers['x-request-id']).toBe(res.headers.get('x-request-id'));
      expect(body.seen.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    });

    it('should drop hop-by-hop headers, and those the Connection header names', async () => {
      const url = `${cookieBff}/api/orders/orders?limit=1`;
      const { answers } = await rawExchange(Number(new URL(cookieBff).port), [
        `GET /api/orders/orders?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          `Cookie: ${aliceJar.header(url)}\r\nConnection: close, x-hop\r\nx-hop: secret\r\n` +
          `Keep-Alive: timeout=5\r\nx-kept: yes\r\n\r\n`,
      ]);
      expect(answers[0]?.status).toBe(200);
      const { seen } = JSON.parse(answers[0]?.body ?? '{}') as { seen: Seen };
      expect(seen.headerNames).toContain('x-kept');
      expect(seen.headerNames).not.toContain('x-hop');
      expect(seen.headerNames).not.toContain('keep-alive');
    });

    it('should refuse a POST without the CSRF header, and forward it with the header', async () => {
      const order = JSON.stringify({ item: 'tea', quantity: 2 });
      const json = { 'content-type': 'application/json' };
      const refused = await aliceJar.fetch(`${cookieBff}/api/orders/orders`, {
        method: 'POST',
        headers: json,
        body: order,
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(((await refused.json()) as Problem).code).toBe('CSRF_HEADER_MISSING');

      const created = await aliceJar.fetch(`${cookieBff}/api/orders/orders`, {
        method: 'POST',
        headers: { ...json, ...CSRF },
        body: order,
      });
      expect(created.status).toBe(201);
      const body = (await created.json()) as { order: { owner: string }; seen: Seen };
      expect(body.order.owner).toBe(aliceSub);
      expect(body.seen).toMatchObject({ aud: ['orders-api'], csrf: false, cookie: false });
    });

    it('should never let the API set or clear the BFF’s own cookies', async () => {
      const res = await aliceJar.fetch(`${cookieBff}/api/orders/set-cookie`);
      expect(res.status).toBe(200);
      const names = res.headers.getSetCookie().map((line) => line.split('=', 1)[0]);
      expect(names).toEqual(['orders-view']);
    });
  });

  describe('a bearer caller', () => {
    it('should reach orders-api with the exchanged token', async () => {
      const res = await fetch(`${bearerBff}/api/orders/orders`, { headers: bearer(alice) });
      expect(res.status).toBe(200);
      const { seen } = (await res.json()) as { seen: Seen };
      expect(seen).toMatchObject({ sub: aliceSub, aud: ['orders-api'], azp: 'bff' });
    });

    it('should answer 401 problem+json, never a redirect, when no caller comes', async () => {
      const res = await fetch(`${bearerBff}/api/orders/orders`, { redirect: 'manual' });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await res.json()) as Problem).code).toBe('TOKEN_MISSING');
    });

    it('should refuse a forged token with its named code', async () => {
      const [h, p] = alice.split('.');
      const res = await fetch(`${bearerBff}/api/orders/orders`, {
        headers: bearer(`${h}.${p}.${randomBytes(256).toString('base64url')}`),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as Problem).code).toBe('TOKEN_SIGNATURE_INVALID');
    });
  });

  describe('each token policy, as orders-api reports it', () => {
    it('exchange: aud is orders-api alone', async () => {
      const res = await fetch(`${bearerBff}/api/orders/orders`, { headers: bearer(alice) });
      expect(((await res.json()) as { seen: Seen }).seen.aud).toEqual(['orders-api']);
    });

    it('user: the caller’s own token, with every audience Keycloak gave it', async () => {
      const res = await fetch(`${bearerBff}/api/as-user/orders`, { headers: bearer(alice) });
      expect(res.status).toBe(200);
      const { seen } = (await res.json()) as { seen: Seen };
      expect(seen).toMatchObject({ sub: aliceSub, azp: 'bff' });
      expect(seen.aud).toEqual(expect.arrayContaining(['orders-api']));
      expect(seen.aud.length).toBeGreaterThan(1);
    });

    it('client: the BFF’s own service account, not the user', async () => {
      const res = await fetch(`${bearerBff}/api/as-bff/orders`, { headers: bearer(alice) });
      expect(res.status).toBe(200);
      const { seen } = (await res.json()) as { seen: Seen };
      expect(seen).toMatchObject({ preferred_username: 'service-account-bff', azp: 'bff' });
      expect(seen.sub).not.toBe(aliceSub);
    });

    it('user-or-none: the exchanged token with a caller, no token without one', async () => {
      const withCaller = await fetch(`${bearerBff}/api/public/info`, { headers: bearer(alice) });
      expect(withCaller.status).toBe(200);
      const seenWith = ((await withCaller.json()) as { seen: Seen }).seen;
      expect(seenWith).toMatchObject({ token: true, sub: aliceSub, aud: ['orders-api'] });

      const anonymous = await fetch(`${bearerBff}/api/public/info`);
      expect(anonymous.status).toBe(200);
      expect(((await anonymous.json()) as { seen: Seen }).seen.token).toBe(false);
    });

    it('none: no token, even when the caller sent one', async () => {
      const res = await fetch(`${bearerBff}/api/status/info`, { headers: bearer(alice) });
      expect(res.status).toBe(200);
      const { seen } = (await res.json()) as { seen: Seen };
      expect(seen).toMatchObject({ token: false, otherAuthorization: false });
      expect(seen.headerNames).not.toContain('authorization');
    });

    it('roles: a caller without the route’s role gets 403 FORBIDDEN_ROLE', async () => {
      const bob = (await passwordGrant('bob', 'bob-password')).access_token;
      const res = await fetch(`${bearerBff}/api/admin-orders/orders`, { headers: bearer(bob) });
      expect(res.status).toBe(403);
      expect(((await res.json()) as Problem).code).toBe('FORBIDDEN_ROLE');
      const allowed = await fetch(`${bearerBff}/api/admin-orders/orders`, {
        headers: bearer(alice),
      });
      expect(allowed.status).toBe(200);
    });
  });

  describe('exchanged tokens', () => {
    it('should cost one exchange for 20 concurrent first calls of a session, and none for 500 more', async () => {
      const jar = new CookieJar();
      expect((await browserlessLogin(jar, cookieBff)).status).toBe(302);
      const before = keycloak.grants(EXCHANGE_GRANT);
      const first = await Promise.all(
        Array.from({ length: 20 }, () => jar.fetch(`${cookieBff}/api/orders/orders?limit=1`)),
      );
      expect(first.map((res) => res.status)).toEqual(Array<number>(20).fill(200));
      expect(keycloak.grants(EXCHANGE_GRANT) - before).toBe(1);

      for (let batch = 0; batch < 20; batch++) {
        const more = await Promise.all(
          Array.from({ length: 25 }, () => jar.fetch(`${cookieBff}/api/orders/orders?limit=1`)),
        );
        expect(more.every((res) => res.status === 200)).toBe(true);
        await Promise.all(more.map((res) => res.arrayBuffer()));
      }
      expect(keycloak.grants(EXCHANGE_GRANT) - before).toBe(1);
    });

    it('should answer 502 with the exchange’s own code when Keycloak refuses the exchange', async () => {
      // bob holds no orders-api role: Keycloak will not issue him a token for it.
      const bob = (await passwordGrant('bob', 'bob-password')).access_token;
      const res = await fetch(`${bearerBff}/api/orders/orders`, { headers: bearer(bob) });
      expect(res.status).toBe(502);
      const problem = (await res.json()) as Problem;
      expect(problem.code).toMatch(/^(AUDIENCE_NOT_AVAILABLE|TOKEN_EXCHANGE_DENIED)$/);
      expect(problem.hint).toEqual(expect.any(String));
    });

    it('should retry once with a new token when the API says invalid_token, for a GET', async () => {
      const before = keycloak.grants(EXCHANGE_GRANT);
      const res = await fetch(`${bearerBff}/api/orders/orders`, {
        headers: {
          ...bearer(alice),
          'x-orders-api-refuse': `retry-${randomBytes(4).toString('hex')}`,
        },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { seen: Seen }).seen.attempt).toBe(2);
      expect(keycloak.grants(EXCHANGE_GRANT) - before).toBe(1);
    });

    it('should pass the API’s own 401 through when the retry is refused too, and not retry a POST', async () => {
      const key = `twice-${randomBytes(4).toString('hex')}`;
      const twice = await fetch(`${bearerBff}/api/orders/orders`, {
        headers: { ...bearer(alice), 'x-orders-api-refuse': `${key}:2` },
      });
      expect(twice.status).toBe(401);
      expect(twice.headers.get('content-type')).toContain('application/json');
      expect((await twice.json()) as { error: string; attempt: number }).toMatchObject({
        error: 'invalid_token',
        attempt: 2,
      });

      const post = await fetch(`${bearerBff}/api/orders/orders`, {
        method: 'POST',
        headers: {
          ...bearer(alice),
          'content-type': 'application/json',
          'x-orders-api-refuse': `post-${randomBytes(4).toString('hex')}`,
        },
        body: JSON.stringify({ item: 'tea', quantity: 1 }),
      });
      expect(post.status).toBe(401);
      expect(((await post.json()) as { attempt: number }).attempt).toBe(1);
    });
  });

  describe('forwarding', () => {
    it('should answer 502 UPSTREAM_UNAVAILABLE when the API is stopped', async () => {
      await stoppedApi.stop();
      const res = await fetch(`${bearerBff}/api/stopped/public/info`);
      expect(res.status).toBe(502);
      expect(((await res.json()) as Problem).code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('should answer 504 UPSTREAM_TIMEOUT within the route’s timeoutMs + 1 s', async () => {
      const started = Date.now();
      const res = await fetch(`${bearerBff}/api/quick/slow?ms=10000`, { headers: bearer(alice) });
      const took = Date.now() - started;
      expect(res.status).toBe(504);
      expect(((await res.json()) as Problem).code).toBe('UPSTREAM_TIMEOUT');
      expect(took).toBeLessThan(1000 + 1000);
    });

    it('should stream a 10 MB upload whole while the BFF’s memory grows by less than 10 MB', async () => {
      const size = 10 * 1024 * 1024;
      const data = randomBytes(size);
      let answer: { bytes: number; sha256: string; seen: Seen } | undefined;
      const growth = await rssGrowthDuring(cookieBffPid, async () => {
        const res = await aliceJar.fetch(`${cookieBff}/api/orders/upload`, {
          method: 'POST',
          headers: { ...CSRF, 'content-type': 'application/octet-stream' },
          body: data,
        });
        expect(res.status).toBe(200);
        answer = (await res.json()) as typeof answer;
      });
      expect(answer).toMatchObject({
        bytes: size,
        sha256: createHash('sha256').update(data).digest('hex'),
      });
      expect(growth).toBeLessThan(10 * 1024 * 1024);
    });

    it('should stream a 10 MB download whole', async () => {
      const size = 10 * 1024 * 1024;
      const res = await aliceJar.fetch(`${cookieBff}/api/orders/download?bytes=${size}`);
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBe(size);
      expect(body[size - 1]).toBe((size - 1) % 256);
    });

    it('should refuse a body over the route’s limit with 413, declared or streamed', async () => {
      const declared = await fetch(`${bearerBff}/api/small/upload`, {
        method: 'POST',
        headers: { ...bearer(alice), 'content-type': 'application/octet-stream' },
        body: randomBytes(2000),
      });
      expect(declared.status).toBe(413);
      expect(((await declared.json()) as Problem).code).toBe('PAYLOAD_TOO_LARGE');

      const chunks = [randomBytes(800), randomBytes(800)];
      const streamed = await fetch(`${bearerBff}/api/small/upload`, {
        method: 'POST',
        headers: { ...bearer(alice), 'content-type': 'application/octet-stream' },
        body: new ReadableStream({
          pull(controller) {
            const chunk = chunks.shift();
            if (chunk) {
              controller.enqueue(chunk);
            } else {
              controller.close();
            }
          },
        }),
        duplex: 'half',
      });
      expect(streamed.status).toBe(413);
    });

    it('should pass the API’s own errors through unchanged', async () => {
      const res = await fetch(`${bearerBff}/api/orders/orders?limit=oops`, {
        headers: bearer(alice),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('should refuse dot segments that would climb out of the target', async () => {
      // Sent raw: fetch would resolve the dot segments itself.
      for (const path of ['/api/status/../orders', '/api/status/%2e%2e/orders']) {
        const { answers } = await rawExchange(Number(new URL(bearerBff).port), [
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        ]);
        expect(answers[0]?.status).toBe(400);
        expect((JSON.parse(answers[0]?.body ?? '{}') as Problem).code).toBe('PROXY_PATH_INVALID');
      }
    });
  });

  it('should refuse to start with a bad routes file, one line per bad entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bff-proxy-bad-'));
    const file = join(dir, 'api-routes.json');
    writeFileSync(
      file,
      JSON.stringify([
        { prefix: '/api/orders', target: 'not a url', token: 'exchange', audience: 'orders-api' },
        { prefix: '/api/x', target: api.url, token: 'exchange' },
        { prefix: '/api/orders', target: api.url, token: 'none', colour: 'blue' },
      ]),
    );
    const run = runService(
      demoServiceEnv(await freePort(), {
        API_ROUTES_FILE: file,
        TOKEN_EXCHANGE_AUDIENCES: 'orders-api',
      }),
    );
    expect(await run.exited).toBe(1);
    const lines = run
      .stderr()
      .split('\n')
      .filter((l) => l.includes('API_ROUTES_FILE is invalid'));
    expect(lines.some((l) => l.includes('route [0]') && l.includes('target'))).toBe(true);
    expect(lines.some((l) => l.includes('route [1]') && l.includes('audience'))).toBe(true);
    expect(lines.some((l) => l.includes('route [2]') && l.includes('colour'))).toBe(true);
    expect(lines.some((l) => l.includes('route [2]') && /prefix|overlap|duplicate/.test(l))).toBe(
      true,
    );
  });
});

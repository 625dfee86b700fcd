import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { freePort } from '../scripts/keycloak/distribution';
import { CookieJar, sessionEnv, signInAtKeycloak, startLogin } from './utils/browserless';
import { createTestApp, type TestApp } from './utils/test-app';

const ATTACKER = '203.0.113.7';

/**
 * Unauthenticated GET /auth/login stores a pending login for whoever asks (issue 12): a flood
 * from one address must neither evict a real user's pending login nor fill the store.
 */
describe('Login starts under a flood (real Keycloak)', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function bffOn(env: Record<string, string | undefined>): Promise<string> {
    const port = await freePort();
    t = await createTestApp({ ...sessionEnv(port), ...env });
    await t.app.listen(port, '127.0.0.1');
    return `http://127.0.0.1:${port}`;
  }

  /** `count` login starts from the attacker's address, 100 at a time; status → how many. */
  async function flood(count: number): Promise<Map<number, number>> {
    const app = t;
    if (!app) {
      throw new Error('no BFF');
    }
    const statuses = new Map<number, number>();
    for (let sent = 0; sent < count; sent += 100) {
      const batch = Array.from({ length: Math.min(100, count - sent) }, () =>
        app.inject({ method: 'GET', url: '/auth/login?returnTo=/x', remoteAddress: ATTACKER }),
      );
      for (const res of await Promise.all(batch)) {
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
    }
    return statuses;
  }

  /** A real user's login started before the flood and finished after it. */
  async function finishLogin(jar: CookieJar, authorizationUrl: string): Promise<Response> {
    const callbackUrl = await signInAtKeycloak(jar, authorizationUrl, 'alice', 'alice-password');
    return jar.fetch(callbackUrl);
  }

  it("should rate-limit one address's login starts (429 RATE_LIMITED) and keep a real user's login working (memory store)", async () => {
    const bff = await bffOn({ REDIS_URL: undefined, LOGIN_START_RATE_LIMIT_PER_IP: undefined });
    const jar = new CookieJar();
    const authorizationUrl = await startLogin(jar, bff, '/mine');

    const started = Date.now();
    const statuses = await flood(10_001);
    process.stderr.write(
      `[login flood] memory store: 10,001 starts in ${Date.now() - started} ms: ${JSON.stringify([...statuses])}\n`,
    );

    // The default budget (30 per window) and nothing else got through.
    expect(statuses.get(302)).toBe(30);
    expect(statuses.get(429)).toBe(10_001 - 30);
    const limited = await t?.inject({
      method: 'GET',
      url: '/auth/login',
      remoteAddress: ATTACKER,
    });
    expect(limited?.statusCode).toBe(429);
    expect(limited?.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(limited?.json()).toMatchObject({
      code: 'RATE_LIMITED',
      detail: expect.stringContaining('Too many logins started from this address') as string,
    });
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);

    const callback = await finishLogin(jar, authorizationUrl);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/mine');
  });

  it('should keep at most SESSION_LOGIN_PENDING_PER_IP pending logins per address, for SESSION_LOGIN_TIMEOUT_S, in Redis', async () => {
    const prefix = `keycloak-bff:e2e-flood:${randomUUID()}:`;
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const bff = await bffOn({
        REDIS_URL: 'redis://127.0.0.1:6379',
        SESSION_REDIS_PREFIX: prefix,
        // The per-address cap, not the rate limit, is what this test shows.
        LOGIN_START_RATE_LIMIT_PER_IP: '100000',
      });
      const jar = new CookieJar();
      const authorizationUrl = await startLogin(jar, bff, '/mine');

      const statuses = await flood(2_000);
      expect(statuses.get(302)).toBe(2_000);

      const pending = await redis.keys(`${prefix}tx:*`);
      const bytes = (
        await Promise.all(
          pending.map((key) => redis.call('MEMORY', 'USAGE', key) as Promise<number>),
        )
      ).reduce((sum, n) => sum + n, 0);
      process.stderr.write(
        `[login flood] Redis: ${pending.length} pending logins (${bytes} bytes) after 2,000 starts from one address\n`,
      );
      // The attacker's newest 20, and the real user's.
      expect(pending).toHaveLength(21);
      const ttl = await redis.pttl(pending[0] ?? '');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300_000);

      const callback = await finishLogin(jar, authorizationUrl);
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/mine');
    } finally {
      const left = await redis.keys(`${prefix}*`);
      if (left.length > 0) {
        await redis.del(...left);
      }
      redis.disconnect();
    }
  });
});

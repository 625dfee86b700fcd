import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/keycloak/ports';
import { browserlessLogin, CookieJar, sessionEnv } from './utils/browserless';
import { startHangingProxy, type HangingProxy } from './utils/hanging-proxy';
import { kc } from './utils/keycloak';
import { startRedisServer, type RedisServer } from './utils/redis-server';
import { type Run, runService, waitForLive } from './utils/service-process';

const HTTP_TIMEOUT_MS = 1_000;

interface Answer {
  status: number;
  code?: string;
  ms: number;
}

/**
 * Issue 15 (low): with the token endpoint hanging during a session refresh, two instances sent
 * two refresh grants (one per lock lease) and the waiter answered after twice the timeout. Two
 * built BFF processes (A, B) share a redis-server of the test's own; Keycloak is behind a proxy
 * that counts refresh grants and can leave them unanswered.
 */
describe('Session refresh while the token endpoint hangs (two instances)', () => {
  let redis: RedisServer;
  let proxy: HangingProxy;
  const runs: Run[] = [];
  const urls = { a: '', b: '' };
  const timings: string[] = [];

  beforeAll(async () => {
    [redis, proxy] = await Promise.all([startRedisServer(), startHangingProxy(kc.url())]);
    const encryptionKey = randomBytes(32).toString('base64');
    await Promise.all(
      (['a', 'b'] as const).map(async (name) => {
        const port = await freePort();
        urls[name] = `http://127.0.0.1:${port}`;
        const run = runService({
          ...sessionEnv(port, {
            REDIS_URL: redis.url,
            SESSION_ENCRYPTION_KEY: encryptionKey,
            KEYCLOAK_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
          }),
          // Back-channel calls through the proxy; tokens still name Keycloak itself.
          KEYCLOAK_URL: proxy.url,
          KEYCLOAK_PUBLIC_URL: kc.url(),
          KEYCLOAK_REALM: 'demo',
          LOG_LEVEL: 'warn',
        });
        runs.push(run);
        await waitForLive(port, run);
      }),
    );
  });

  afterAll(async () => {
    for (const run of runs) {
      run.child.kill('SIGKILL');
    }
    await proxy.close();
    await redis.stop();
    process.stderr.write(`[session refresh, token endpoint hanging]\n${timings.join('\n')}\n`);
  });

  async function session(jar: CookieJar, name: 'a' | 'b', started: number): Promise<Answer> {
    const res = await jar.fetch(`${urls[name]}/auth/session`, {
      signal: AbortSignal.timeout(4 * HTTP_TIMEOUT_MS),
    });
    const body = (await res.json()) as { code?: string };
    const answer = {
      status: res.status,
      code: body.code,
      ms: Math.round(performance.now() - started),
    };
    timings.push(
      `  GET /auth/session on ${name.toUpperCase()}: ${answer.status} ${answer.code ?? ''} after ${answer.ms} ms`,
    );
    return answer;
  }

  it('should send one refresh grant, and answer the waiting instance after one timeout, not two', async () => {
    const jar = new CookieJar();
    expect((await browserlessLogin(jar, urls.a)).status).toBe(302);
    const loggedInAt = Date.now();
    // The demo realm's session client has 10 s access tokens: wait until it has expired, so no
    // instance can fall back on it.
    await sleep(loggedInAt + 10_500 - Date.now());

    proxy.hangRefreshGrants = true;
    const before = proxy.refreshGrants;
    const started = performance.now();
    const onA = session(jar, 'a', started);
    // B comes second and finds A's refresh under way: it waits for it.
    await sleep(150);
    const onB = session(jar, 'b', started);
    const [a, b] = await Promise.all([onA, onB]);

    timings.push(`  refresh grants sent: ${proxy.refreshGrants - before}`);
    expect(proxy.refreshGrants - before).toBe(1);
    expect(a).toMatchObject({ status: 504, code: 'IDP_TIMEOUT' });
    expect(b).toMatchObject({ status: 504, code: 'IDP_TIMEOUT' });
    // One timeout and the poll, with room for a loaded machine; two timeouts would be 2,000 ms.
    expect(b.ms).toBeLessThan(HTTP_TIMEOUT_MS + 600);

    // The session was kept: once Keycloak answers again, the next request refreshes it.
    proxy.hangRefreshGrants = false;
    const recovered = await session(jar, 'b', performance.now());
    expect(recovered.status).toBe(200);
    expect(proxy.refreshGrants - before).toBe(2);
  }, 30_000);
});

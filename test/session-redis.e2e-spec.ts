import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { freePort } from '../scripts/keycloak/distribution';
import {
  browserlessLogin,
  CookieJar,
  enableRefreshEvents,
  refreshEventsSince,
  sessionEnv,
  setBackchannelLogoutUrl,
} from './utils/browserless';
import { adminFetch } from './utils/keycloak';
import { type Run, runService, waitForLive } from './utils/service-process';

const REDIS_URL = process.env.SESSION_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface SessionBody {
  user: { claims: { preferred_username?: string } };
}

/** Two built BFF processes (A and B) sharing sessions through the local Redis. */
describe('Cookie-session mode with the Redis store (two instances)', () => {
  // A prefix of its own per run, removed afterwards: the local Redis is shared.
  const prefix = `keycloak-bff-e2e:${randomUUID()}:`;
  const encryptionKey = randomBytes(32).toString('base64');
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const running = new Map<string, Run>();
  const ports = { a: 0, b: 0 };
  const url = (name: 'a' | 'b') => `http://127.0.0.1:${ports[name]}`;

  async function start(name: 'a' | 'b'): Promise<void> {
    const run = runService({
      ...sessionEnv(ports[name], {
        REDIS_URL,
        SESSION_REDIS_PREFIX: prefix,
        SESSION_ENCRYPTION_KEY: encryptionKey,
      }),
      KEYCLOAK_URL: process.env.KEYCLOAK_URL ?? '',
      KEYCLOAK_REALM: 'demo',
      LOG_LEVEL: 'warn',
    });
    running.set(name, run);
    await waitForLive(ports[name], run);
  }

  async function stop(name: 'a' | 'b'): Promise<void> {
    const run = running.get(name);
    running.delete(name);
    run?.child.kill('SIGTERM');
    expect(await run?.exited).toBe(0);
  }

  async function ourKeys(): Promise<string[]> {
    return redis.keys(`${prefix}*`);
  }

  beforeAll(async () => {
    await redis.connect();
    ports.a = await freePort();
    ports.b = await freePort();
    await Promise.all([start('a'), start('b')]);
    await enableRefreshEvents();
  });

  afterAll(async () => {
    for (const run of running.values()) {
      run.child.kill('SIGKILL');
    }
    const keys = await ourKeys();
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  it('should use a session created through A on B, keep it when A restarts, and store it encrypted', async () => {
    const jar = new CookieJar();
    expect((await browserlessLogin(jar, url('a'))).status).toBe(302);
    const cookie = jar.get('__Host-bff-session')?.value ?? '';

    const onB = await jar.fetch(`${url('b')}/auth/session`);
    expect(onB.status).toBe(200);
    expect(((await onB.json()) as SessionBody).user.claims.preferred_username).toBe('alice');
    expect((await jar.fetch(`${url('b')}/users?max=1`)).status).toBe(200);

    // At rest: no token, no session id, not even in key names.
    const keys = await ourKeys();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join()).not.toContain(cookie);
    for (const key of keys.filter((k) => !k.includes(':sub:') && !k.includes(':sid:'))) {
      const value = (await redis.type(key)) === 'string' ? await redis.get(key) : '';
      // A whole JWT (header.payload.), not just "eyJ": random base64 ciphertext has that often.
      expect(value).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\./);
    }

    await stop('a');
    await start('a');

    const onA = await jar.fetch(`${url('a')}/auth/session`);
    expect(onA.status).toBe(200);
    expect(((await onA.json()) as SessionBody).user.claims.preferred_username).toBe('alice');
    expect((await jar.fetch(`${url('a')}/users?max=1`)).status).toBe(200);
  }, 60_000);

  it('should make exactly one refresh grant for 20 concurrent calls split across A and B', async () => {
    const jar = new CookieJar();
    expect((await browserlessLogin(jar, url('a'))).status).toBe(302);
    const loggedInAt = Date.now();

    // The 10 s access token is due 5 s before it expires.
    await sleep(loggedInAt + 6_000 - Date.now());
    const since = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        jar.fetch(`${url(i % 2 === 0 ? 'a' : 'b')}/users?max=1`),
      ),
    );

    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await refreshEventsSince(since)).toBe(1);
    // Past the first token's expiry, both instances still serve the session.
    await sleep(loggedInAt + 12_000 - Date.now());
    expect((await jar.fetch(`${url('b')}/users?max=1`)).status).toBe(200);
    expect((await jar.fetch(`${url('a')}/auth/session`)).status).toBe(200);
  }, 40_000);

  it('should end the session on both instances when Keycloak logs alice out (back-channel to B)', async () => {
    await setBackchannelLogoutUrl(ports.b);
    const jar = new CookieJar();
    expect((await browserlessLogin(jar, url('a'))).status).toBe(302);
    const [alice] = (await (
      await adminFetch('/realms/demo/users?username=alice&exact=true')
    ).json()) as { id: string }[];

    expect(
      (await adminFetch(`/realms/demo/users/${alice?.id ?? ''}/logout`, { method: 'POST' })).status,
    ).toBe(204);

    expect((await jar.fetch(`${url('a')}/auth/session`)).status).toBe(401);
  });
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/keycloak/ports';
import { sessionEnv } from './utils/browserless';
import { startRedisServer, type RedisServer } from './utils/redis-server';
import { type Run, runService, waitForLive } from './utils/service-process';

/** What "within ~1 s" allows on a loaded test machine. */
const PROMPT_MS = 1_500;
/** The client gives up here: a request that hangs fails the test instead of stalling it. */
const CLIENT_TIMEOUT_MS = 5_000;
const COOKIE = '__Host-bff-session';

interface Timed {
  status: number;
  ms: number;
  body: Record<string, unknown>;
}

/**
 * Issue 15 (high): a Redis that stops answering must not hang requests. The built BFF on a
 * redis-server of the test's own, which the test freezes (SIGSTOP), thaws, stops and restarts;
 * every request is timed, and the times are printed.
 */
describe('Redis faults (a redis-server of the test’s own)', () => {
  let redis: RedisServer;
  let bff: Run;
  let base = '';
  const timings: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bff = runService({
      ...sessionEnv(port, {
        // The password client: POST /auth/login goes through the limiter to Keycloak.
        KEYCLOAK_CLIENT_ID: 'bff',
        KEYCLOAK_CLIENT_SECRET: 'bff-secret',
        // A redirect URI client bff accepts, so that GET /auth/login gets as far as the store
        // (the test never follows the redirect).
        SESSION_REDIRECT_URI: 'http://127.0.0.1:3000/auth/callback',
        LOGIN_RATE_LIMIT_PER_IP: '1000',
        REDIS_URL: redis.url,
        // Short, so that recovery fits the test; the timeouts keep their defaults.
        REDIS_BREAKER_COOLDOWN_MS: '1000',
      }),
      KEYCLOAK_URL: process.env.KEYCLOAK_URL ?? '',
      KEYCLOAK_REALM: 'demo',
    });
    await waitForLive(port, bff);
  });

  afterAll(async () => {
    bff.child.kill('SIGKILL');
    await redis.stop();
    process.stderr.write(`[redis faults] time per request:\n${timings.join('\n')}\n`);
  });

  async function timed(label: string, path: string, init: RequestInit = {}): Promise<Timed> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const res = await fetch(`${base}${path}`, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const text = await res.text();
      const ms = elapsed();
      timings.push(`  ${label.padEnd(50)} ${res.status}  ${String(ms).padStart(5)} ms`);
      return { status: res.status, ms, body: text ? (JSON.parse(text) as Timed['body']) : {} };
    } catch (err: unknown) {
      timings.push(`  ${label.padEnd(50)} no answer within ${elapsed()} ms`);
      throw err;
    }
  }

  const session = (label: string) =>
    timed(`GET /auth/session (${label})`, '/auth/session', {
      headers: { cookie: `${COOKIE}=unknown` },
    });
  const startLogin = (label: string) => timed(`GET /auth/login (${label})`, '/auth/login');
  const passwordLogin = (label: string) =>
    timed(`POST /auth/login (${label})`, '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `redis-faults-${randomUUID()}`, password: 'wrong' }),
    });

  /** Polls until the session store answers again; returns how long that took. */
  async function recovery(label: string): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < 15_000) {
      if ((await session(`${label}, polling`)).status === 401) {
        return Math.round(performance.now() - started);
      }
      await sleep(250);
    }
    throw new Error(`${label}: the session store did not answer again within 15 s`);
  }

  const unavailable = { code: 'SESSION_STORE_UNAVAILABLE' };

  it('should read sessions and limit logins through its Redis while it answers', async () => {
    expect((await session('Redis up')).body).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect((await startLogin('Redis up')).status).toBe(302);
    expect((await passwordLogin('Redis up')).body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('should answer 503 promptly and let logins through while Redis is frozen, then recover', async () => {
    redis.freeze();
    // First, while the circuit is still closed: both login budgets wait out their timeout.
    const login = await passwordLogin('Redis frozen, circuit closed');
    expect(login).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    expect(login.ms).toBeLessThan(PROMPT_MS);
    // The limiter failed open, and said so.
    expect(bff.stdout()).toMatch(/"level":"warn".*Login rate limit skipped/);

    const sessions = await Promise.all(
      Array.from({ length: 20 }, (_, n) => session(`Redis frozen, 20 at once #${n + 1}`)),
    );
    for (const res of sessions) {
      expect(res).toMatchObject({ status: 503, body: unavailable });
      expect(res.ms).toBeLessThan(PROMPT_MS);
    }
    const start = await startLogin('Redis frozen');
    expect(start).toMatchObject({ status: 503, body: unavailable });
    expect(start.ms).toBeLessThan(PROMPT_MS);
    expect(bff.stdout()).toMatch(/"level":"warn".*failed repeatedly: commands fail at once/);

    redis.thaw();
    const ms = await recovery('Redis thawed');
    timings.push(`  (sessions answered again ${ms} ms after SIGCONT)`);
    expect((await startLogin('Redis thawed')).status).toBe(302);
    expect(bff.stdout()).toMatch(/answers again/);
  });

  it('should answer as promptly while Redis refuses connections, and recover after a restart', async () => {
    await redis.stop();
    const res = await session('Redis stopped');
    expect(res).toMatchObject({ status: 503, body: unavailable });
    expect(res.ms).toBeLessThan(PROMPT_MS);
    const start = await startLogin('Redis stopped');
    expect(start).toMatchObject({ status: 503, body: unavailable });
    expect(start.ms).toBeLessThan(PROMPT_MS);
    const login = await passwordLogin('Redis stopped');
    expect(login).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    expect(login.ms).toBeLessThan(PROMPT_MS);

    await redis.start();
    const ms = await recovery('Redis restarted');
    timings.push(`  (sessions answered again ${ms} ms after the restart)`);
    expect((await passwordLogin('Redis restarted')).status).toBe(401);
  });
});

import { randomUUID } from 'node:crypto';
import { freePort } from '../scripts/keycloak/distribution';
import { RedisConnection } from '../src/redis/redis-connection';
import { sessionEnv } from './utils/browserless';
import { demoServiceEnv, type Run, runService, waitForLive } from './utils/service-process';
import { createTestApp, type TestApp } from './utils/test-app';

const REDIS_URL = process.env.SESSION_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const COOKIE = '__Host-bff-session';

/** REDIS_URL's one connection, shared by the login limiter and the session store (real Redis). */
describe('REDIS_URL (real Redis)', () => {
  describe('one connection for the login limiter and the session store', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({
        ...sessionEnv(await freePort(), {
          // The password client: the session routes here only read the store.
          KEYCLOAK_CLIENT_ID: 'bff',
          KEYCLOAK_CLIENT_SECRET: 'bff-secret',
          REDIS_URL,
          // A prefix of its own: the local Redis is shared.
          SESSION_REDIS_PREFIX: `keycloak-bff-e2e:${randomUUID()}:`,
          LOGIN_RATE_LIMIT_PER_USERNAME: '1',
          // Other suites log in from 127.0.0.1 through the same Redis budget.
          LOGIN_RATE_LIMIT_PER_IP: '1000',
        }),
      });
    });

    afterAll(async () => {
      await t.close();
    });

    const attempt = (username: string) =>
      t.inject({ method: 'POST', url: '/auth/login', payload: { username, password: 'wrong' } });
    const session = () =>
      t.inject({ method: 'GET', url: '/auth/session', headers: { cookie: `${COOKIE}=unknown` } });

    it('should limit logins and read sessions through it, and lose both when it goes', async () => {
      const limited = `redis-e2e-${randomUUID()}`;
      expect((await attempt(limited)).statusCode).toBe(401);
      expect((await attempt(limited)).statusCode).toBe(429);
      expect((await session()).json()).toMatchObject({ code: 'SESSION_EXPIRED' });

      t.app.get(RedisConnection).client?.disconnect();

      // The limiter fails open, as it always has ...
      const other = `redis-e2e-${randomUUID()}`;
      expect((await attempt(other)).statusCode).toBe(401);
      expect((await attempt(other)).statusCode).toBe(401);
      // ... and the session store answers 503: both were on the connection that went.
      const down = await session();
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
    });
  });

  describe('at start', () => {
    const running: Run[] = [];
    afterEach(() => {
      for (const run of running.splice(0)) {
        run.child.kill('SIGKILL');
      }
    });

    async function start(redisUrl: string): Promise<Run> {
      const port = await freePort();
      // info: the start-up line about Redis is what these tests read.
      const run = runService(demoServiceEnv(port, { REDIS_URL: redisUrl, LOG_LEVEL: 'info' }));
      running.push(run);
      await waitForLive(port, run);
      return run;
    }

    it('should say that Redis answered', async () => {
      const run = await start(REDIS_URL);
      expect(run.stdout()).toContain('"msg":"Redis answered PING"');
    });

    it('should name a Redis that does not answer, without its password, and start anyway', async () => {
      const dead = `redis://:s3cret@127.0.0.1:${await freePort()}`;
      const run = await start(dead);
      const line = run
        .stdout()
        .split('\n')
        .find((l) => l.includes('not answering at start'));
      expect(line).toBeDefined();
      expect(line).toContain('"level":"warn"');
      expect(line).toContain(`Redis at redis://:***@127.0.0.1:${dead.split(':').pop()}`);
      expect(line).toContain('ECONNREFUSED');
      expect(line).not.toContain('s3cret');
    });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { freePort } from '../scripts/keycloak/distribution';
import {
  browserlessLogin,
  CookieJar,
  sessionEnv,
  signInAtKeycloak,
  startLogin,
} from './utils/browserless';
import { createTestApp, type TestApp } from './utils/test-app';

const REDIS_URL = process.env.SESSION_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const COOKIE = '__Host-bff-session';

interface Bff {
  app: TestApp;
  url: string;
}

/**
 * A change of SESSION_ENCRYPTION_KEY, and duplicate session cookies (issue 12). Three BFFs share
 * sessions through the local Redis: A seals with K1 (before the change), B with `K2,K1` (during)
 * and C with K2 (after). Logs in as bob: other specs log alice out in Keycloak.
 */
describe('Session key change and duplicate session cookies (Redis store, real Keycloak)', () => {
  // A prefix of its own per run, removed afterwards: the local Redis is shared.
  const prefix = `keycloak-bff-e2e:${randomUUID()}:`;
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('hex');
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const bffs: Bff[] = [];
  let a: Bff;
  let b: Bff;
  let c: Bff;

  async function start(keys: string): Promise<Bff> {
    const port = await freePort();
    const app = await createTestApp(
      sessionEnv(port, { REDIS_URL, SESSION_REDIS_PREFIX: prefix, SESSION_ENCRYPTION_KEY: keys }),
    );
    await app.app.listen(port, '127.0.0.1');
    const bff = { app, url: `http://127.0.0.1:${port}` };
    bffs.push(bff);
    return bff;
  }

  async function loggedIn(bff: Bff): Promise<string> {
    const jar = new CookieJar();
    expect((await browserlessLogin(jar, bff.url, 'bob', 'bob-password')).status).toBe(302);
    const id = jar.get(COOKIE)?.value;
    expect(id).toMatch(/^[\w-]{43}$/);
    return id ?? '';
  }

  const sessionAt = (bff: Bff, cookie: string) =>
    fetch(`${bff.url}/auth/session`, { headers: { cookie }, redirect: 'manual' });

  beforeAll(async () => {
    await redis.connect();
    a = await start(k1);
    b = await start(`${k2},${k1}`);
    c = await start(k2);
  });

  afterAll(async () => {
    for (const bff of bffs) {
      await bff.app.close();
    }
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  it('should accept on B (K2,K1) a session that A (K1) sealed, without clearing the cookie', async () => {
    const id = await loggedIn(a);

    const res = await sessionAt(b, `${COOKIE}=${id}`);

    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { user: { claims: Record<string, unknown> } }).user.claims,
    ).toMatchObject({ preferred_username: 'bob' });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("should seal B's new sessions with K2, the first key: C (K2) reads them, A (K1) does not", async () => {
    const id = await loggedIn(b);

    expect((await sessionAt(c, `${COOKIE}=${id}`)).status).toBe(200);
    expect((await sessionAt(a, `${COOKIE}=${id}`)).status).toBe(401);
  });

  it('should use the real session when a bogus duplicate cookie comes first, and send no clearing Set-Cookie', async () => {
    const id = await loggedIn(a);
    const cookie = `${COOKIE}=x; ${COOKIE}=${id}`;

    for (const bff of [a, b]) {
      const res = await sessionAt(bff, cookie);
      expect({ bff: bff.url, status: res.status }).toEqual({ bff: bff.url, status: 200 });
      expect(res.headers.getSetCookie()).toEqual([]);
    }

    // Logging out with the same header ends the real session, not the bogus one.
    const logout = await fetch(`${b.url}/auth/session/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf': '1' },
    });
    expect(logout.status).toBe(200);
    expect((await sessionAt(a, `${COOKIE}=${id}`)).status).toBe(401);
  });

  it('should still refuse and clear when none of the duplicate cookies is a session', async () => {
    const res = await sessionAt(a, `${COOKIE}=x; ${COOKIE}=${'y'.repeat(43)}`);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(res.headers.getSetCookie().join()).toContain(`${COOKIE}=;`);
  });

  it('should drop every session a duplicate cookie names when the browser logs in again', async () => {
    const previous = await loggedIn(a);
    const jar = new CookieJar();
    const callbackUrl = await signInAtKeycloak(
      jar,
      await startLogin(jar, a.url),
      'bob',
      'bob-password',
    );

    const callback = await fetch(callbackUrl, {
      headers: { cookie: `${COOKIE}=x; ${COOKIE}=${previous}; ${jar.header(callbackUrl)}` },
      redirect: 'manual',
    });

    expect(callback.status).toBe(302);
    expect((await sessionAt(a, `${COOKIE}=${previous}`)).status).toBe(401);
  });
});

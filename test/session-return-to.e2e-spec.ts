import { freePort } from '../scripts/keycloak/distribution';
import { browserlessLogin, CookieJar, sessionEnv, startLogin } from './utils/browserless';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * Where the browser goes after a real Keycloak login (issue 12: dot segments used to normalise
 * into `Location: //evil.example`). Logs in as bob: other specs log alice out in Keycloak.
 */
describe('returnTo after a real login', () => {
  let t: TestApp;
  let bff: string;

  beforeAll(async () => {
    const port = await freePort();
    bff = `http://127.0.0.1:${port}`;
    t = await createTestApp({ ...sessionEnv(port), REDIS_URL: undefined });
    await t.app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([
    '/.//evil.example',
    '/..//evil.example',
    '/%2e%2e//evil.example',
    '/a/..//evil.example',
    '/./\\evil.example',
    '/.%2e//evil.example',
    '/.//\\evil.example',
    '/..\\/evil.example',
    '/../\\evil.example',
    '/%09/evil.example',
    '/%2f%2fevil.example',
    '/%5c%5cevil.example',
    'https:evil.example',
    'http:/\\evil.example',
    'http://evil.example@127.0.0.1:5173/',
  ])('should refuse GET /auth/login?returnTo=%j with 400 INVALID_RETURN_TO', async (returnTo) => {
    const res = await fetch(`${bff}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
      redirect: 'manual',
    });

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'INVALID_RETURN_TO' });
    expect(res.headers.get('location')).toBeNull();
  });

  it('should send the browser to the normalised path after logging in with returnTo=/a/../b', async () => {
    const jar = new CookieJar();

    const callback = await browserlessLogin(jar, bff, 'bob', 'bob-password', '/a/../b');

    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/b');
  });

  it('should restart a login with the normalised returnTo, which /auth/login accepts as it is', async () => {
    const jar = new CookieJar();
    const state = new URL(await startLogin(jar, bff, '/a/./x/../b?tab=1')).searchParams.get(
      'state',
    );

    const restart = await jar.fetch(
      `${bff}/auth/callback?error=temporarily_unavailable&state=${state ?? ''}`,
    );

    expect(restart.status).toBe(302);
    const location = restart.headers.get('location') ?? '';
    expect(location).toBe('/auth/login?returnTo=%2Fa%2Fb%3Ftab%3D1&restarted=1');
    const again = await jar.fetch(`${bff}${location}`);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toMatch(/\/protocol\/openid-connect\/auth\?/);
  });
});

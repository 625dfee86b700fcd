import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { freePort } from '../scripts/keycloak/distribution';
import { sessionEnv } from './utils/browserless';
import { createTestApp, type TestApp } from './utils/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');

/**
 * The login in a real browser (Debian's chromium, driven by playwright-core): the code flow, and
 * the silent login (`prompt=none`) without and with a Keycloak session. In order: the first test
 * runs before any Keycloak session exists in the browser's profile.
 */
describe('Cookie-session mode in headless Chromium', () => {
  let t: TestApp;
  let bff: string;
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
    }
    const port = await freePort();
    bff = `http://127.0.0.1:${port}`;
    t = await createTestApp({ ...sessionEnv(port), REDIS_URL: undefined });
    await t.app.listen(port, '127.0.0.1');
    profile = await mkdtemp(join(tmpdir(), 'keycloak-bff-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
    await t.close();
  });

  /** Every URL the page's main frame showed, to tell whether a Keycloak page was shown. */
  function shownUrls(page: Page): string[] {
    const shown: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) {
        shown.push(frame.url());
      }
    });
    return shown;
  }

  const keycloakPage = (url: string): boolean => !url.startsWith(bff);

  it('should bring a silent login without a Keycloak session back to returnTo with error=login_required', async () => {
    const page = await browser.newPage();
    const shown = shownUrls(page);
    await page.goto(`${bff}/auth/login?prompt=none&returnTo=/health/live`);
    await page.waitForURL(`${bff}/health/live?error=login_required`);
    expect(shown.filter(keycloakPage)).toEqual([]);
    expect((await browser.cookies(bff)).map((c) => c.name)).not.toContain('__Host-bff-session');
    await page.close();
  });

  it('should log alice in, keep tokens out of the page and show her session', async () => {
    const page = await browser.newPage();
    await page.goto(`${bff}/auth/login?returnTo=/auth/session`);
    await page.locator('#username').fill('alice');
    await page.locator('#password').fill('alice-password');
    await Promise.all([page.waitForURL(`${bff}/auth/session`), page.locator('#kc-login').click()]);

    const body = JSON.parse((await page.locator('body').innerText()) || '{}') as {
      authenticated?: boolean;
      user?: { claims?: { preferred_username?: string } };
    };
    expect(body.authenticated).toBe(true);
    expect(body.user?.claims?.preferred_username).toBe('alice');

    // The browser accepted the __Host- cookie over http://127.0.0.1 (a trustworthy origin).
    const cookie = (await browser.cookies(bff)).find((c) => c.name === '__Host-bff-session');
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict', path: '/' });
    // HttpOnly: the page's script cannot read it.
    expect(await page.evaluate<string>('document.cookie')).not.toContain('__Host-bff-session');

    const calls = await page.evaluate(async () => {
      const users = await fetch('/users?max=1');
      const withoutCsrf = await fetch('/auth/session/logout', { method: 'POST' });
      return { users: users.status, withoutCsrf: withoutCsrf.status };
    });
    expect(calls).toEqual({ users: 200, withoutCsrf: 403 });

    // Remove an earlier run's screenshot first: only a file this run wrote proves anything.
    const screenshot = join(ARTIFACTS, 'session-chromium.png');
    await mkdir(ARTIFACTS, { recursive: true });
    await rm(screenshot, { force: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(0);
  });

  it('should make a new session silently from the Keycloak session once the BFF cookie is gone', async () => {
    const before = (await browser.cookies(bff)).find((c) => c.name === '__Host-bff-session');
    expect(before).toBeDefined();
    await browser.clearCookies({ name: '__Host-bff-session' });

    const page = await browser.newPage();
    const shown = shownUrls(page);
    await page.goto(`${bff}/auth/login?prompt=none&returnTo=/auth/session`);
    await page.waitForURL(`${bff}/auth/session`);
    const body = JSON.parse((await page.locator('body').innerText()) || '{}') as {
      authenticated?: boolean;
      user?: { claims?: { preferred_username?: string } };
    };
    expect(body).toMatchObject({
      authenticated: true,
      user: { claims: { preferred_username: 'alice' } },
    });
    // Keycloak answered with redirects only: no page of it was shown.
    expect(shown.filter(keycloakPage)).toEqual([]);
    const after = (await browser.cookies(bff)).find((c) => c.name === '__Host-bff-session');
    expect(after?.value).toBeDefined();
    expect(after?.value).not.toBe(before?.value);
  });
});

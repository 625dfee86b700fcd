import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/keycloak/distribution';
import { type Run, runService, waitForLive } from './utils/service-process';

/** SIGTERM: the server closes, shutdown hooks run, and the process exits 0. */
async function expectGracefulStop(run: Run): Promise<void> {
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  expect(run.stdout()).toContain('"msg":"keycloak-bff stopped"');
}

const BASE_ENV = {
  KEYCLOAK_REALM: 'demo',
  KEYCLOAK_CLIENT_ID: 'bff',
  KEYCLOAK_CLIENT_SECRET: 'bff-secret',
  HOST: '127.0.0.1',
};

describe('The service process', () => {
  const running: Run[] = [];
  afterEach(() => {
    for (const run of running.splice(0)) {
      run.child.kill('SIGKILL');
    }
  });

  it('should exit 1 with one clear line when KEYCLOAK_REALM is unset', async () => {
    const { KEYCLOAK_REALM: _unset, ...env } = BASE_ENV;
    const run = runService({ ...env, KEYCLOAK_URL: process.env.KEYCLOAK_URL ?? '' });
    running.push(run);
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toEqual([
      'keycloak-bff: configuration error: KEYCLOAK_REALM is required (example: KEYCLOAK_REALM=demo)',
    ]);
    expect(run.stdout()).toBe('');
  });

  it('should name every bad variable, one line each, without a stack trace', async () => {
    const run = runService({ PORT: 'http', KEYCLOAK_URL: 'keycloak' });
    running.push(run);
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines.map((l) => /error: (\w+)/.exec(l)?.[1]).sort()).toEqual(
      [
        'KEYCLOAK_CLIENT_ID',
        'KEYCLOAK_CLIENT_SECRET',
        'KEYCLOAK_REALM',
        'KEYCLOAK_URL',
        'PORT',
      ].sort(),
    );
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('should exit 1 naming each bad route of the routes file on a line of its own', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bff-routes-')), 'api-routes.json');
    writeFileSync(
      file,
      JSON.stringify([
        { prefix: '/api/orders', target: 'http://127.0.0.1:4000', audience: 'orders-api' },
        { prefix: '/api', target: 'ftp://files.example.com', token: 'user' },
        { prefix: '/billing', target: 'http://127.0.0.1:4001', timeout: 5000 },
      ]),
    );
    const run = runService({
      ...BASE_ENV,
      KEYCLOAK_URL: process.env.KEYCLOAK_URL ?? '',
      API_ROUTES_FILE: file,
    });
    running.push(run);
    expect(await run.exited).toBe(1);
    const error = `keycloak-bff: configuration error: API_ROUTES_FILE is invalid: ${file}`;
    expect(run.stderr().trim().split('\n')).toEqual([
      `${error}: route [1] /api: target must be an http(s) URL, not ftp (example: "target": "http://127.0.0.1:4000")`,
      `${error}: route [1] /api: prefix overlaps route [0] /api/orders: one is a path-segment prefix of the other`,
      `${error}: route [2] /billing: "timeout" is not a route field (fields: prefix, target, token, audience, scope, roles, timeoutMs, bodyLimitBytes, stripPrefix, websocket)`,
      `${error}: route [2] /billing: audience is required with token exchange: the client id the token is for (example: "audience": "orders-api")`,
    ]);
    expect(run.stdout()).toBe('');
  });

  it('should be live but not ready, naming the IdP, while Keycloak is down', async () => {
    const port = await freePort();
    const deadKeycloak = `http://127.0.0.1:${await freePort()}`;
    const run = runService({ ...BASE_ENV, KEYCLOAK_URL: deadKeycloak, PORT: String(port) });
    running.push(run);
    await waitForLive(port, run);

    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);

    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const body = (await ready.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 503,
      code: 'IDP_UNAVAILABLE',
      checks: { keycloak: { status: 'down', code: 'IDP_UNAVAILABLE' } },
    });
    expect(body.detail).toContain(`Keycloak (realm 'demo' at ${deadKeycloak}) is not usable`);
    expect(body.detail).toContain('ECONNREFUSED');

    await expectGracefulStop(run);
  });

  describe('BENCH_ROUTES', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'keycloak-bff-env-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    async function benchRouteIn(cwd: string): Promise<number> {
      const port = await freePort();
      const run = runService(
        { ...BASE_ENV, KEYCLOAK_URL: process.env.KEYCLOAK_URL ?? '', PORT: String(port) },
        cwd,
      );
      running.push(run);
      await waitForLive(port, run);
      return (await fetch(`http://127.0.0.1:${port}/bench/public`)).status;
    }

    it('should mount the bench routes when BENCH_ROUTES=true comes from a .env file', async () => {
      writeFileSync(join(dir, '.env'), 'BENCH_ROUTES=true\n');
      expect(await benchRouteIn(dir)).toBe(200);
    });

    it('should not mount them by default', async () => {
      expect(await benchRouteIn(dir)).toBe(404);
    });
  });

  it('should start against the real Keycloak with the example routes file, be ready, and stop cleanly on SIGTERM', async () => {
    const port = await freePort();
    const run = runService({
      ...BASE_ENV,
      KEYCLOAK_URL: process.env.KEYCLOAK_URL ?? '',
      PORT: String(port),
      API_ROUTES_FILE: join(__dirname, '..', 'api-routes.example.json'),
    });
    running.push(run);
    await waitForLive(port, run);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    await expectGracefulStop(run);
  });
});

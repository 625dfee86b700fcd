import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../scripts/keycloak/ports';
import { readLinuxStat } from '../scripts/stack/parent-watch';
import { CookieJar, signInAtKeycloak } from './utils/browserless';
import {
  keycloakCopyOf,
  killLeftovers,
  pidsWithArg,
  portsInUse,
  REPO_ROOT,
  runStack,
  type StackRun,
  stackEnv,
  waitGone,
} from './utils/stack-process';

/**
 * `npm run stack` as real processes: npm, the stack, Keycloak's distribution on free ports,
 * orders-api, the BFF (whose API proxy mounts orders-api at /api/orders). Keycloak starts are the cost here (20-60 s each on two cores), so there are three
 * full ones, started together: the docs' cookie-mode walk-through (which ends with SIGINT),
 * one for SIGHUP and one for the parent's death. SIGTERM and the stack's own SIGKILL are tested
 * while Keycloak is starting. After each stop: Keycloak's java is gone, every port is free
 * (orders-api's too), its copy of the distribution is removed. The ports are never 4000, so
 * the BFFs run on derived copies of api-routes.example.json.
 */

const READY = /The stack is ready/;
const READY_MS = 200_000;
const STOPPED = /The stack has stopped\./;

interface Ports {
  bff: number;
  keycloak: number;
  management: number;
  ordersApi: number;
}

async function freePorts(): Promise<Ports> {
  const ports = new Set<number>();
  while (ports.size < 4) {
    ports.add(await freePort());
  }
  const [bff = 0, keycloak = 0, management = 0, ordersApi = 0] = [...ports];
  return { bff, keycloak, management, ordersApi };
}

function portEnv(ports: Ports): Record<string, string> {
  return {
    BFF_PORT: String(ports.bff),
    KEYCLOAK_PORT: String(ports.keycloak),
    KEYCLOAK_MANAGEMENT_PORT: String(ports.management),
    ORDERS_API_PORT: String(ports.ordersApi),
  };
}

/** What orders-api reports having received (examples/orders-api/seen.ts), in part. */
interface Seen {
  url: string;
  token: boolean;
  preferred_username: string | null;
  aud: string[];
  cookie: boolean;
  csrf: boolean;
}

/** orders-api logs this (pretty-printed in the stack's stdout) once it has closed its server. */
const ORDERS_API_STOPPED = /INFO: orders-api stopped/;

/** Keycloak's processes for a stack: java (and kc.sh) carry `--http-port=N`. */
function keycloakPids(ports: Ports): number[] {
  return pidsWithArg(`--http-port=${ports.keycloak}`);
}

async function waitForKeycloakProcess(ports: Ports, run: StackRun): Promise<number[]> {
  await run.waitFor(/starting Keycloak/, 60_000);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const pids = keycloakPids(ports);
    if (pids.length > 0) {
      return pids;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no Keycloak process with --http-port=${ports.keycloak}`);
}

/**
 * Nothing of the stack is left: no Keycloak process, no port in use (orders-api's included), no
 * copy on disk (Keycloak's, the derived routes file's folder).
 */
async function expectNothingLeft(ports: Ports, pids: number[], copies: string[]): Promise<void> {
  expect(await waitGone(pids, 30_000)).toEqual([]);
  expect(keycloakPids(ports)).toEqual([]);
  expect(await portsInUse([ports.bff, ports.keycloak, ports.management, ports.ordersApi])).toEqual(
    [],
  );
  // A guard removes the copy a moment after the group is gone.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && copies.some((dir) => existsSync(dir))) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(copies.filter((dir) => existsSync(dir))).toEqual([]);
}

/** A stack that got ready, with what it started. */
interface Started {
  run: StackRun;
  ports: Ports;
  pids: number[];
  copies: string[];
}

async function whenReady(run: StackRun, ports: Ports, seen: number[]): Promise<Started> {
  await run.waitFor(READY, READY_MS);
  const pids = keycloakPids(ports);
  seen.push(...pids);
  const copies = pids.map(keycloakCopyOf).filter((d): d is string => d !== undefined);
  // On a port other than 4000 the BFF's routes file is a derived copy, removed with the stack.
  const routesFile = /orders-api {3}.*, routes (\S+)\)/.exec(run.stderr())?.[1] ?? '';
  expect(routesFile).toMatch(/keycloak-bff-stack-routes-\w+\/api-routes\.json$/);
  expect(existsSync(routesFile)).toBe(true);
  return { run, ports, pids, copies: [...copies, dirname(routesFile)] };
}

/** The cookie-mode walk-through of docs/local-stack.md: its commands and its URLs. */
function walkthrough(): { commands: string[]; urls: string[] } {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'local-stack.md'), 'utf8');
  const section = /<!-- walkthrough:start -->([\s\S]*?)<!-- walkthrough:end -->/.exec(doc)?.[1];
  if (!section) {
    throw new Error('docs/local-stack.md has no walkthrough:start/end section');
  }
  const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => (m[1] ?? '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const urls = [...section.matchAll(/http:\/\/127\.0\.0\.1:\d+[^\s),`]*/g)].map((m) =>
    m[0].replace(/\.$/, ''),
  );
  return { commands, urls };
}

/** The master realm's admin on a stack's Keycloak. */
async function adminFetch(keycloakUrl: string, path: string, method = 'GET'): Promise<Response> {
  const token = await fetch(`${keycloakUrl}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: 'admin',
      password: 'admin',
    }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  return fetch(`${keycloakUrl}/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${access_token}` },
  });
}

describe('npm run stack', () => {
  const runs: StackRun[] = [];
  const seenPids: number[] = [];

  afterAll(() => {
    killLeftovers(seenPids, runs);
  });

  it('should refuse taken ports before starting anything, naming each and its option', async () => {
    const ports = await freePorts();
    const holders = await Promise.all(
      [ports.bff, ports.keycloak, ports.ordersApi].map(
        (port) =>
          new Promise<http.Server>((resolve) => {
            const server = http.createServer();
            server.listen(port, '127.0.0.1', () => resolve(server));
          }),
      ),
    );
    try {
      const run = runStack(
        ['npm', 'run', 'stack', '--', '--no-build'],
        stackEnv({ ...portEnv(ports), KEYCLOAK_HARNESS: 'distribution' }),
      );
      runs.push(run);
      expect(await run.exited).toBe(1);
      const lines = run.stderr().split('\n');
      expect(lines).toContain(
        `npm run stack: port ${ports.bff} (the BFF) on 127.0.0.1 is already in use: stop what ` +
          'uses it, or choose another port with --port N (or BFF_PORT=N)',
      );
      expect(lines).toContain(
        `npm run stack: port ${ports.keycloak} (Keycloak) on 127.0.0.1 is already in use: stop ` +
          'what uses it, or choose another port with --keycloak-port N (or KEYCLOAK_PORT=N)',
      );
      expect(lines).toContain(
        `npm run stack: port ${ports.ordersApi} (orders-api) on 127.0.0.1 is already in use: stop ` +
          'what uses it, or choose another port with --orders-api-port N (or ORDERS_API_PORT=N)',
      );
      expect(run.stderr()).not.toContain(`port ${ports.management}`);
      expect(run.stderr()).not.toContain('starting Keycloak');
    } finally {
      await Promise.all(holders.map((s) => new Promise((r) => s.close(r))));
    }
  });

  describe('three running stacks', () => {
    const { commands, urls } = walkthrough();
    let walk: Started;
    let hangUp: Started;
    let orphan: Started;

    beforeAll(async () => {
      const walkPorts = await freePorts();
      // The walk-through's one command, split as the shell would (it has no quoting).
      const walkRun = runStack(commands[0]?.split(/\s+/) ?? [], stackEnv(portEnv(walkPorts)));
      runs.push(walkRun);
      // The other two start the BFF from dist/ (--no-build): once the walk-through's build is
      // done, while its Keycloak is still starting.
      await walkRun.waitFor(/\[bff\] npm run build done/, READY_MS);

      const hangUpPorts = await freePorts();
      // npm leads its own process group, as a terminal's job does.
      const hangUpRun = runStack(
        ['npm', 'run', 'stack', '--', '--no-build'],
        stackEnv({ ...portEnv(hangUpPorts), KEYCLOAK_HARNESS: 'distribution' }),
        { detached: true },
      );
      runs.push(hangUpRun);
      const orphanPorts = await freePorts();
      // A shell that stays above npm, as an IDE or a process runner does; it will get SIGKILL.
      const orphanRun = runStack(
        ['sh', '-c', 'npm run stack -- --no-build; echo "npm ended: $?"'],
        stackEnv({ ...portEnv(orphanPorts), KEYCLOAK_HARNESS: 'distribution' }),
      );
      runs.push(orphanRun);
      [walk, hangUp, orphan] = await Promise.all([
        whenReady(walkRun, walkPorts, seenPids),
        whenReady(hangUpRun, hangUpPorts, seenPids),
        whenReady(orphanRun, orphanPorts, seenPids),
      ]);
    }, 2 * READY_MS);

    describe('cookie mode, as docs/local-stack.md walks through it', () => {
      /** A URL of the walk-through, on this run's ports. */
      const docUrl = (pattern: RegExp): string => {
        const url = urls.find((u) => pattern.test(u));
        if (!url) {
          throw new Error(`the walk-through names no URL like ${String(pattern)}`);
        }
        return url
          .replace(':3000', `:${walk.ports.bff}`)
          .replace(':8080', `:${walk.ports.keycloak}`);
      };
      const LOGIN = /^http:\/\/127\.0\.0\.1:3000\/auth\/login\?returnTo=\/auth\/session$/;
      const SESSION = /^http:\/\/127\.0\.0\.1:3000\/auth\/session$/;
      const ADMIN = /^http:\/\/127\.0\.0\.1:8080\/admin$/;
      const jar = new CookieJar();

      it('should be one command, and print where everything is, Keycloak log included', () => {
        expect(commands).toEqual(['npm run stack -- --session']);
        expect(walk.pids.length).toBeGreaterThan(0);
        expect(walk.copies.length).toBeGreaterThan(0);
        const { bff, keycloak } = walk.ports;
        const err = walk.run.stderr();
        expect(err).toContain(`Keycloak     http://127.0.0.1:${keycloak}  (admin console`);
        expect(err).toContain(
          `BFF          http://127.0.0.1:${bff}  (cookie mode: open ` +
            `http://127.0.0.1:${bff}/auth/login?returnTo=/auth/session`,
        );
        const logFile = /Keycloak log (\S+)/.exec(err)?.[1] ?? '';
        expect(readFileSync(logFile, 'utf8')).toContain('Listening on: http://127.0.0.1:');
      });

      it("should pretty-print the BFF's JSON logs", () => {
        const out = walk.run.stdout();
        expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: keycloak-bff listening/m);
        expect(out).not.toMatch(/^\{"level"/m);
      });

      it('should sign alice in and show her session (step 2)', async () => {
        const login = await jar.fetch(docUrl(LOGIN));
        expect(login.status).toBe(302);
        const authorizationUrl = login.headers.get('location') ?? '';
        expect(authorizationUrl).toMatch(
          new RegExp(`^http://127\\.0\\.0\\.1:${walk.ports.keycloak}/realms/demo/`),
        );
        const callback = await jar.fetch(
          await signInAtKeycloak(jar, authorizationUrl, 'alice', 'alice-password'),
        );
        expect(callback.status).toBe(302);
        expect(new URL(callback.headers.get('location') ?? '', callback.url).href).toBe(
          docUrl(SESSION),
        );
        const session = await jar.fetch(docUrl(SESSION));
        expect(session.status).toBe(200);
        const body = (await session.json()) as {
          authenticated?: boolean;
          user?: { claims?: { preferred_username?: string } };
        };
        expect(body.authenticated).toBe(true);
        expect(body.user?.claims?.preferred_username).toBe('alice');
        expect(JSON.stringify(body)).not.toMatch(/access_token|refresh_token|eyJ/);
        expect(jar.get('__Host-bff-session')).toBeDefined();
      });

      it("should take alice's session through the proxy to orders-api, as the banner's fetch does", async () => {
        const bff = `http://127.0.0.1:${walk.ports.bff}`;
        const err = walk.run.stderr();
        expect(err).toContain(
          `orders-api   http://127.0.0.1:${walk.ports.ordersApi}  (examples/orders-api`,
        );
        expect(err).toContain("fetch('/api/orders/orders', { credentials: 'include' })");

        const list = await jar.fetch(`${bff}/api/orders/orders`);
        expect(list.status).toBe(200);
        const { seen } = (await list.json()) as { seen: Seen };
        expect(seen).toMatchObject({
          url: '/orders',
          token: true,
          preferred_username: 'alice',
          aud: ['orders-api'],
          cookie: false,
          csrf: false,
        });

        const order = { item: 'tea', quantity: 1 };
        const post = (headers: Record<string, string>): Promise<Response> =>
          jar.fetch(`${bff}/api/orders/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify(order),
          });
        const refused = await post({});
        expect(refused.status).toBe(403);
        expect(((await refused.json()) as { code: string }).code).toBe('CSRF_HEADER_MISSING');
        const created = await post({ 'x-csrf': '1' });
        expect(created.status).toBe(201);
        expect(((await created.json()) as { received: unknown }).received).toEqual(order);
      });

      it('should answer 401 once Keycloak signs alice out, through the back-channel (step 3)', async () => {
        const keycloak = new URL(docUrl(ADMIN)).origin;
        const [client] = (await (
          await adminFetch(keycloak, '/realms/demo/clients?clientId=bff-session')
        ).json()) as { attributes: Record<string, string> }[];
        expect(client?.attributes['backchannel.logout.url']).toBe(
          `http://127.0.0.1:${walk.ports.bff}/auth/backchannel-logout`,
        );
        const [alice] = (await (
          await adminFetch(keycloak, '/realms/demo/users?username=alice&exact=true')
        ).json()) as { id: string }[];
        const sessions = (await (
          await adminFetch(keycloak, `/realms/demo/users/${alice?.id}/sessions`)
        ).json()) as { id: string }[];
        expect(sessions).toHaveLength(1);
        // What the admin console's "Sign out" of a session sends.
        const signOut = await adminFetch(
          keycloak,
          `/realms/demo/sessions/${sessions[0]?.id}`,
          'DELETE',
        );
        expect(signOut.status).toBe(204);

        let status = 0;
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          status = (await jar.fetch(docUrl(SESSION))).status;
          if (status === 401) {
            break;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
        expect(status).toBe(401);
        expect(walk.run.stdout()).toContain('/auth/backchannel-logout');
      });

      it('should refuse a second stack on the same ports while this one runs', async () => {
        const second = runStack(commands[0]?.split(/\s+/) ?? [], stackEnv(portEnv(walk.ports)));
        runs.push(second);
        expect(await second.exited).toBe(1);
        for (const [port, what, option] of [
          [walk.ports.bff, 'the BFF', '--port N (or BFF_PORT=N)'],
          [walk.ports.keycloak, 'Keycloak', '--keycloak-port N (or KEYCLOAK_PORT=N)'],
          [
            walk.ports.management,
            "Keycloak's management interface",
            '--keycloak-management-port N (or KEYCLOAK_MANAGEMENT_PORT=N)',
          ],
          [walk.ports.ordersApi, 'orders-api', '--orders-api-port N (or ORDERS_API_PORT=N)'],
        ] as const) {
          expect(second.stderr()).toContain(
            `port ${port} (${what}) on 127.0.0.1 is already in use: stop what uses it, ` +
              `or choose another port with ${option}`,
          );
        }
        expect(second.stderr()).not.toContain('npm run build');
      });

      it('should stop everything on SIGINT sent to npm without a terminal (step 4)', async () => {
        expect(walk.run.child.kill('SIGINT')).toBe(true);
        await walk.run.waitFor(STOPPED, 60_000);
        expect(walk.run.stderr()).toContain('SIGINT received: stopping the stack');
        expect(walk.run.stdout()).toMatch(ORDERS_API_STOPPED);
        await expectNothingLeft(walk.ports, walk.pids, walk.copies);
      }, 90_000);
    });

    it("should proxy a bearer caller's GET /api/orders to orders-api with an exchanged token", async () => {
      const bff = `http://127.0.0.1:${hangUp.ports.bff}`;
      const err = hangUp.run.stderr();
      expect(err).toContain(`curl -s ${bff}/api/orders/orders -H "authorization: Bearer`);
      // The banner's login, as its curl sends it.
      const login = await fetch(`${bff}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
      });
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };

      const res = await fetch(`${bff}/api/orders/orders`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { orders: unknown[]; seen: Seen };
      expect(body.orders.length).toBeGreaterThan(0);
      expect(body.seen).toMatchObject({
        url: '/orders',
        token: true,
        preferred_username: 'alice',
        aud: ['orders-api'],
      });
      // orders-api itself listens on the stack's port for it, not on the example's 4000.
      const info = await fetch(`http://127.0.0.1:${hangUp.ports.ordersApi}/public/info`);
      expect(info.status).toBe(200);
    });

    it('should stop everything on SIGHUP to its process group, as when the terminal closes', async () => {
      const { run, ports } = hangUp;
      expect((await fetch(`http://127.0.0.1:${ports.bff}/health/ready`)).status).toBe(200);
      const group = run.child.pid;
      if (group === undefined) {
        throw new Error('npm has no pid');
      }
      process.kill(-group, 'SIGHUP');
      await run.waitFor(STOPPED, 60_000);
      expect(run.stderr()).toContain('SIGHUP received: stopping the stack');
      expect(run.stdout()).toMatch(ORDERS_API_STOPPED);
      await expectNothingLeft(ports, hangUp.pids, hangUp.copies);
    }, 90_000);

    it('should stop everything when the process that started it is SIGKILLed', async () => {
      const { run, ports } = orphan;
      expect((await fetch(`http://127.0.0.1:${ports.bff}/health/ready`)).status).toBe(200);
      run.child.kill('SIGKILL');
      expect(await run.exited).toBe('SIGKILL');
      await run.waitFor(STOPPED, 60_000);
      expect(run.stderr()).toContain(
        `process ${run.child.pid}, which started us, is gone: stopping the stack`,
      );
      await expectNothingLeft(ports, orphan.pids, orphan.copies);
    }, 90_000);
  });

  describe('while Keycloak is still starting', () => {
    let fakeDocker: string;
    let engine: http.Server;

    beforeAll(async () => {
      // A Docker engine that answers, and a docker CLI without the compose plugin.
      fakeDocker = mkdtempSync(join(tmpdir(), 'keycloak-bff-fake-docker-'));
      mkdirSync(join(fakeDocker, 'bin'));
      writeFileSync(
        join(fakeDocker, 'bin', 'docker'),
        '#!/bin/sh\necho "docker: unknown command: docker $1" >&2\nexit 1\n',
      );
      chmodSync(join(fakeDocker, 'bin', 'docker'), 0o755);
      engine = http.createServer((_req, res) => res.end('OK'));
      await new Promise<void>((resolve) =>
        engine.listen(join(fakeDocker, 'docker.sock'), () => resolve()),
      );
    });

    afterAll(async () => {
      await new Promise((r) => engine.close(r));
      rmSync(fakeDocker, { recursive: true, force: true });
    });

    it('should fall back to the distribution without docker compose, and stop it on SIGTERM', async () => {
      const ports = await freePorts();
      const run = runStack(
        ['npm', 'run', 'stack', '--', '--no-build'],
        stackEnv({
          ...portEnv(ports),
          DOCKER_HOST: `unix://${join(fakeDocker, 'docker.sock')}`,
          PATH: `${join(fakeDocker, 'bin')}:${process.env.PATH ?? ''}`,
        }),
      );
      runs.push(run);
      const pids = await waitForKeycloakProcess(ports, run);
      seenPids.push(...pids);
      const copies = pids.map(keycloakCopyOf).filter((d): d is string => d !== undefined);
      expect(run.stderr()).toContain(
        'a Docker engine answers but `docker compose` (Compose v2) does not',
      );

      expect(run.child.kill('SIGTERM')).toBe(true);
      await run.waitFor(STOPPED, 60_000);
      expect(run.stderr()).toContain('SIGTERM received: stopping the stack');
      expect(run.stderr()).not.toContain('could not start');
      await expectNothingLeft(ports, pids, copies);
    }, 150_000);

    it('should stop Keycloak through its guard when the stack itself is SIGKILLed', async () => {
      const ports = await freePorts();
      const run = runStack(
        ['npm', 'run', 'stack', '--', '--no-build'],
        stackEnv({ ...portEnv(ports), KEYCLOAK_HARNESS: 'distribution' }),
      );
      runs.push(run);
      const pids = await waitForKeycloakProcess(ports, run);
      seenPids.push(...pids);
      const copies = pids.map(keycloakCopyOf).filter((d): d is string => d !== undefined);
      const [stack] = pidsWithArg('scripts/stack.ts').filter(
        (pid) => readLinuxStat(pid)?.ppid === run.child.pid,
      );
      if (stack === undefined) {
        throw new Error(`no scripts/stack.ts process under npm (${run.child.pid})`);
      }

      process.kill(stack, 'SIGKILL');
      await run.exited;
      await expectNothingLeft(ports, pids, copies);
    }, 150_000);
  });
});

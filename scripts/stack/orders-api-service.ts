import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pinoPretty from 'pino-pretty';
import { guardProcessGroup, stopProcessGroup } from '../keycloak/process-group';
import { REPO_ROOT } from '../keycloak/version';
import { portOptionHint } from './options';
import type { StackContext, StackService } from './service';

/** The routes file the stack's BFF gets: its targets name orders-api on port 4000. */
export const EXAMPLE_ROUTES_FILE = join(REPO_ROOT, 'api-routes.example.json');
const EXAMPLE_PORT = 4000;

/**
 * The routes of api-routes.example.json with every target that names orders-api's default
 * address moved to `origin` (keeping the target's path, e.g. `/public`).
 */
export function routesFor(exampleJson: string, origin: string): unknown[] {
  const routes = JSON.parse(exampleJson) as Record<string, unknown>[];
  const from = `http://127.0.0.1:${EXAMPLE_PORT}`;
  return routes.map((route) =>
    typeof route.target === 'string' &&
    (route.target === from || route.target.startsWith(`${from}/`))
      ? { ...route, target: origin + route.target.slice(from.length) }
      : route,
  );
}

/**
 * The routes file for orders-api on `port`: the example itself on its own port, otherwise a
 * derived copy in a temporary folder (`dir`, to remove when the stack stops).
 */
export function routesFileFor(port: number): { file: string; dir?: string } {
  if (port === EXAMPLE_PORT) {
    return { file: EXAMPLE_ROUTES_FILE };
  }
  const dir = mkdtempSync(join(tmpdir(), 'keycloak-bff-stack-routes-'));
  const file = join(dir, 'api-routes.json');
  const routes = routesFor(readFileSync(EXAMPLE_ROUTES_FILE, 'utf8'), `http://127.0.0.1:${port}`);
  writeFileSync(file, `${JSON.stringify(routes, null, 2)}\n`);
  return { file, dir };
}

/** orders-api's environment: the stack's Keycloak and realm, its port, loopback only. */
export function ordersApiEnvironment(
  ctx: Pick<StackContext, 'options'>,
  keycloakUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  return {
    ...env,
    KEYCLOAK_URL: keycloakUrl,
    // The BFF's KEYCLOAK_PUBLIC_URL (if the caller set one) is not orders-api's business here:
    // the stack's tokens are issued under KEYCLOAK_URL.
    KEYCLOAK_PUBLIC_URL: undefined,
    KEYCLOAK_REALM: 'demo',
    HOST: '127.0.0.1',
    PORT: String(ctx.options.ordersApiPort),
  };
}

function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(String(child.exitCode ?? child.signalCode));
      return;
    }
    child.once('exit', (code, signal) => resolve(String(code ?? signal)));
  });
}

/** Up once its only unauthenticated route answers. */
async function waitUp(ctx: StackContext, child: ChildProcess): Promise<void> {
  const url = `http://127.0.0.1:${ctx.options.ordersApiPort}/public/info`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    ctx.signal.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`orders-api exited during start (${child.exitCode ?? child.signalCode})`);
    }
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`orders-api did not answer at ${url} within 60 s`);
}

/**
 * examples/orders-api under tsx, the downstream API that api-routes.example.json mounts at
 * /api/orders. Started after Keycloak (it fetches the realm's keys) and before the BFF (whose
 * routes file it gives: `ctx.routesFile`), so stopped after the BFF.
 */
export const ordersApiService: StackService = {
  name: 'orders-api',

  ports: (ctx) => [
    {
      port: ctx.options.ordersApiPort,
      what: 'orders-api',
      option: portOptionHint('ordersApiPort'),
    },
  ],

  start: async (ctx) => {
    if (!ctx.keycloak) {
      throw new Error('orders-api starts after Keycloak');
    }
    const routes = routesFileFor(ctx.options.ordersApiPort);
    const removeRoutes = (): void => {
      if (routes.dir) {
        rmSync(routes.dir, { recursive: true, force: true });
      }
    };
    // `node --import tsx`, not the tsx CLI: no tsx process in between to swallow SIGTERM.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'examples', 'orders-api', 'main.ts')],
      {
        cwd: REPO_ROOT,
        // Its own process group, stopped in order; the guard stops it if the stack dies.
        detached: true,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: ordersApiEnvironment(ctx, ctx.keycloak.url),
      },
    );
    const guard =
      child.pid === undefined
        ? undefined
        : guardProcessGroup(child.pid, { removeAfter: routes.dir });
    child.stdout?.pipe(
      pinoPretty({
        colorize: Boolean(process.stdout.isTTY),
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        singleLine: true,
        destination: process.stdout,
      }),
    );
    const stop = async (): Promise<void> => {
      await stopProcessGroup(child);
      guard?.release();
      removeRoutes();
    };
    try {
      await waitUp(ctx, child);
    } catch (err) {
      await stop();
      throw err;
    }
    ctx.routesFile = routes.file;
    const origin = `http://127.0.0.1:${ctx.options.ordersApiPort}`;
    return {
      banner: [
        `orders-api   ${origin}  (examples/orders-api; the BFF mounts it at /api/orders, ` +
          `routes ${routes.file})`,
      ],
      exited: exitOf(child).then((code) => `orders-api ended (${code})`),
      stop,
    };
  },
};

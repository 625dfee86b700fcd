import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pinoPretty from 'pino-pretty';
import { bffEnv } from '../keycloak/harness';
import { guardProcessGroup, stopProcessGroup } from '../keycloak/process-group';
import type { RunningKeycloak } from '../keycloak/types';
import { REPO_ROOT } from '../keycloak/version';
import { portOptionHint } from './options';
import type { StackContext, StackService } from './service';

/** The demo realm's client for cookie mode (realm-export.json). */
const SESSION_CLIENT = { id: 'bff-session', secret: 'bff-session-secret' };

/**
 * The BFF's environment in the stack. The stack's own choices (Keycloak, port, mode) win over
 * the caller's environment; everything else (LOG_LEVEL, REDIS_URL, AUTH_*, …) passes through.
 */
export function bffEnvironment(
  ctx: Pick<StackContext, 'options' | 'routesFile'>,
  keycloak: RunningKeycloak,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const { port, session } = ctx.options;
  const origin = `http://127.0.0.1:${port}`;
  const common = {
    ...env,
    ...bffEnv(keycloak),
    HOST: '127.0.0.1',
    PORT: String(port),
    CORS_ORIGINS: `http://localhost:${port},${origin}`,
    // The API proxy (docs/proxy.md): orders-api at /api/orders, its exchange audience allowed.
    ...(ctx.routesFile
      ? { API_ROUTES_FILE: ctx.routesFile, TOKEN_EXCHANGE_AUDIENCES: 'orders-api' }
      : {}),
  };
  if (!session) {
    return { ...common, SESSION_ENABLED: 'false' };
  }
  return {
    ...common,
    KEYCLOAK_CLIENT_ID: SESSION_CLIENT.id,
    KEYCLOAK_CLIENT_SECRET: SESSION_CLIENT.secret,
    SESSION_ENABLED: 'true',
    // A new key per start: sessions end with the stack (they live in memory unless REDIS_URL).
    SESSION_ENCRYPTION_KEY: env.SESSION_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    SESSION_REDIRECT_URI: `${origin}/auth/callback`,
    SESSION_POST_LOGOUT_REDIRECT_URI: `${origin}/`,
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

/** `npm run build`, stopped with the stack. */
async function build(ctx: StackContext): Promise<void> {
  ctx.signal.throwIfAborted();
  ctx.log('[bff] npm run build');
  const child = spawn('npm', ['run', 'build'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const guard = child.pid === undefined ? undefined : guardProcessGroup(child.pid);
  const abort = (): void => void stopProcessGroup(child, 5000);
  ctx.signal.addEventListener('abort', abort, { once: true });
  const code = await exitOf(child);
  ctx.signal.removeEventListener('abort', abort);
  guard?.release();
  ctx.signal.throwIfAborted();
  if (code !== '0') {
    throw new Error(`npm run build failed (${code}); the compiler's messages are above`);
  }
  ctx.log('[bff] npm run build done');
}

async function waitLive(ctx: StackContext, child: ChildProcess): Promise<void> {
  const url = `http://127.0.0.1:${ctx.options.port}/health/live`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    ctx.signal.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the BFF exited during start (${child.exitCode ?? child.signalCode})`);
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
  throw new Error(`the BFF was not live at ${url} within 60 s`);
}

/** The calls to try through the API proxy, as README's stack section shows them. */
export function proxyTryLines(ctx: Pick<StackContext, 'options'>): string[] {
  const origin = `http://127.0.0.1:${ctx.options.port}`;
  if (ctx.options.session) {
    return [
      "Try the proxy: sign in as above, then in that tab's console",
      "  await (await fetch('/api/orders/orders', { credentials: 'include' })).json()",
      "  await fetch('/api/orders/orders', { method: 'POST', credentials: 'include',",
      "    headers: { 'x-csrf': '1', 'content-type': 'application/json' },",
      "    body: JSON.stringify({ item: 'tea', quantity: 1 }) })",
    ];
  }
  return [
    'Try the proxy (orders-api at /api/orders, a token exchanged for audience orders-api):',
    `  ACCESS_TOKEN=$(curl -s -X POST ${origin}/auth/login -H 'content-type: application/json' \\`,
    `    -d '{"username":"alice","password":"alice-password"}' | jq -r .access_token)`,
    `  curl -s ${origin}/api/orders/orders -H "authorization: Bearer $ACCESS_TOKEN"`,
  ];
}

function banner(ctx: StackContext): string[] {
  const origin = `http://127.0.0.1:${ctx.options.port}`;
  const mode = ctx.options.session
    ? `cookie mode: open ${origin}/auth/login?returnTo=/auth/session, alice / alice-password`
    : `bearer mode: Swagger UI ${origin}/docs, POST /auth/login as alice / alice-password`;
  return [
    `BFF          ${origin}  (${mode})`,
    'BFF log      below, pretty-printed (LOG_LEVEL=debug npm run stack for more)',
    ...(ctx.routesFile ? proxyTryLines(ctx) : []),
  ];
}

/** The BFF built from this checkout, as a local process, its JSON logs pretty-printed. */
export const bffService: StackService = {
  name: 'BFF',

  ports: (ctx) => [{ port: ctx.options.port, what: 'the BFF', option: portOptionHint('port') }],

  prepare: (ctx) => (ctx.options.build ? build(ctx) : Promise.resolve()),

  start: async (ctx) => {
    if (!ctx.keycloak) {
      throw new Error('the BFF starts after Keycloak');
    }
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'main.js')], {
      // Not the checkout: its .env is for `npm run start`, and the stack sets what it needs.
      cwd: join(REPO_ROOT, 'dist'),
      // Its own process group: a terminal's Ctrl-C reaches only us, and we stop it in order.
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: bffEnvironment(ctx, ctx.keycloak),
    });
    const guard = child.pid === undefined ? undefined : guardProcessGroup(child.pid);
    // pino writes JSON lines to stdout; other lines pass through pino-pretty unchanged.
    child.stdout?.pipe(
      pinoPretty({
        colorize: Boolean(process.stdout.isTTY),
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        singleLine: true,
        destination: process.stdout,
      }),
    );
    const stop = async (): Promise<void> => {
      await stopProcessGroup(child);
      guard?.release();
    };
    try {
      await waitLive(ctx, child);
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      banner: banner(ctx),
      exited: exitOf(child).then((code) => `the BFF ended (${code})`),
      stop,
    };
  },
};

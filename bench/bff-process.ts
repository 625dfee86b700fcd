import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../scripts/keycloak/distribution';

export interface BffProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first 200 of /health/ready. */
  startToReadyMs: number;
  stop(): Promise<void>;
}

/**
 * The built service in production mode, as a separate process (what users run). `env` may
 * depend on the port (a session BFF's redirect URI names it).
 */
/** `BENCH_CPU_PROF=<dir>`: each BFF writes a V8 CPU profile there when it stops (flame graphs). */
function profiling(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export async function startBff(
  env: Record<string, string> | ((port: number) => Record<string, string>),
): Promise<BffProcess> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [...profiling(), join(__dirname, '..', 'dist', 'main.js')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        BENCH_ROUTES: 'true',
        HOST: '127.0.0.1',
        PORT: String(port),
        // Off unless a scenario turns it on: it measures with and without, side by side.
        METRICS_PORT: 'off',
        ...(typeof env === 'function' ? env(port) : env),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the BFF exited with ${child.exitCode}`);
    }
    const ok = await fetch(`${url}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) {
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const startToReadyMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    url,
    pid: child.pid ?? 0,
    child,
    startToReadyMs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

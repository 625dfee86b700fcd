import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Exit code, or the signal's name when the process ended by one. */
  exited: Promise<number | string | null>;
}

/**
 * The built service as a real process, with exactly the environment given. It runs in `cwd`,
 * where a `.env` is read if there is one (none in the system's temporary directory).
 */
export function runService(env: Record<string, string>, cwd = tmpdir()): Run {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    // METRICS_PORT=0: services started side by side must not race for the default port.
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    // 'close', not 'exit': by then stdout and stderr have been read to the end.
    child.once('close', (code, signal) => resolve(code ?? signal)),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The demo realm's BFF on 127.0.0.1:`port`, against the test Keycloak, plus `extra`. */
export function demoServiceEnv(
  port: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KEYCLOAK_URL: process.env.KEYCLOAK_URL ?? '',
    KEYCLOAK_REALM: 'demo',
    KEYCLOAK_CLIENT_ID: 'bff',
    KEYCLOAK_CLIENT_SECRET: 'bff-secret',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export async function waitForLive(port: number, run: Run, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) {
      throw new Error(`service exited early: ${run.stderr()}${run.stdout()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/live`);
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('service did not become live');
}

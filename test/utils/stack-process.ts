import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portProblem } from '../../scripts/keycloak/ports';

export const REPO_ROOT = join(__dirname, '..', '..');

/**
 * The environment of a stack started by a test: this process's, without what jest's
 * globalSetup put there for the shared Keycloak (KEYCLOAK_URL would make the stack use that
 * one) and with the BFF logging (globalSetup silences it).
 */
export function stackEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(KEYCLOAK_|SESSION_|BFF_|REDIS_URL$|PORT$|HOST$)/.test(name)) {
      delete env[name];
    }
  }
  // Several stacks run at once: each BFF's metrics listener on a port of its own.
  return { ...env, LOG_LEVEL: 'info', METRICS_PORT: '0', ...extra };
}

/** A started stack (npm, or a shell above npm) and everything it printed so far. */
export interface StackRun {
  /** The process the test started: npm, or the shell that runs npm. */
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Exit code, or the signal's name. */
  exited: Promise<number | string | null>;
  /** Resolves with the match once stderr (or stdout) shows `pattern`; rejects on exit or time-out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

/**
 * Runs `argv` in the checkout without a terminal (stdin /dev/null), as an IDE or a process
 * runner would. `detached`: in a process group of its own, as a terminal's job is.
 */
export function runStack(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: { detached?: boolean } = {},
): StackRun {
  const [command = 'false', ...args] = argv;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': the stack writes on after npm (or the shell above it) has died, until
  // it has stopped everything and closed the pipes it inherited.
  let closed = false;
  child.once('close', () => (closed = true));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const waitFor = async (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(err) ?? pattern.exec(out);
      if (match) {
        return match;
      }
      if (closed) {
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `${closed ? 'the stack ended' : 'time-out'} before ${String(pattern)}\n` +
        `--- stderr ---\n${err.slice(-4000)}\n--- stdout ---\n${out.slice(-2000)}`,
    );
  };
  return { child, stdout: () => out, stderr: () => err, exited, waitFor };
}

/** Every process whose command line holds `needle` (Keycloak's java: `--http-port=N`). */
export function pidsWithArg(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(needle)) {
        pids.push(Number(entry));
      }
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The folder of the Keycloak copy a process runs from (`…/keycloak-bff-run-XXXX/…`). */
export function keycloakCopyOf(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /\/tmp\/keycloak-bff-run-[\w]+/.exec(args)?.[0];
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs, then returns the ones still running (none, if all went). */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pids.some(alive)) {
    await new Promise((r) => setTimeout(r, 200));
  }
  return pids.filter(alive);
}

/** The ports among `ports` that something still listens on (127.0.0.1). */
export async function portsInUse(ports: number[]): Promise<number[]> {
  const taken: number[] = [];
  for (const port of ports) {
    if (await portProblem(port)) {
      taken.push(port);
    }
  }
  return taken;
}

/** Last resort for a failed test: nothing a test started may outlive the suite. */
export function killLeftovers(pids: number[], runs: StackRun[]): void {
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const run of runs) {
    if (run.child.exitCode === null && run.child.pid !== undefined) {
      try {
        process.kill(run.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

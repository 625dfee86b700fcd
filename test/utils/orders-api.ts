import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/keycloak/distribution';
import { adminFetch, userId } from './keycloak';

const REPO_ROOT = join(__dirname, '..', '..');
const MAIN = join(REPO_ROOT, 'examples', 'orders-api', 'main.ts');

/** examples/orders-api as a real process (through tsx, as `npm run orders-api` runs it). */
export class OrdersApiProcess {
  private out = '';
  private err = '';
  /** Exit code, or the signal's name when the process ended by one. */
  readonly exited: Promise<number | string | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) =>
      // 'close', not 'exit': by then stdout and stderr have been read to the end.
      child.once('close', (code, signal) => resolve(code ?? signal)),
    );
  }

  /** Starts with exactly the environment given (plus PATH, HOST 127.0.0.1 and a free PORT unless set). */
  static async spawn(env: Record<string, string>): Promise<OrdersApiProcess> {
    const fullEnv = {
      PATH: process.env.PATH ?? '',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      ...env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: REPO_ROOT,
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new OrdersApiProcess(child, `http://127.0.0.1:${fullEnv.PORT}`);
  }

  /** Spawns and waits until it answers. */
  static async start(env: Record<string, string>): Promise<OrdersApiProcess> {
    const api = await OrdersApiProcess.spawn(env);
    await api.waitUntilListening();
    return api;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  async waitUntilListening(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`orders-api exited early: ${this.err}${this.out}`);
      }
      try {
        if ((await fetch(`${this.url}/public/info`)).ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`orders-api did not start: ${this.err}${this.out}`);
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | string | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
    }
    return this.exited;
  }
}

interface RealmFile {
  realm: string;
  roles?: { client?: Record<string, { name: string; description?: string }[]> };
  users?: { username: string; clientRoles?: Record<string, string[]> }[];
}

/**
 * Brings a running Keycloak's orders-api roles up to what realm-export.json declares: the
 * client's roles, and each user's roles on it. A Keycloak started by the harness imported the
 * file and needs nothing; one kept running (`KEYCLOAK_URL`) may have imported an older file.
 * Only adds, never removes. Returns what it had to change, so a test can insist on nothing.
 */
export async function syncOrdersApiRoles(
  realmFile = join(REPO_ROOT, 'realm-export.json'),
): Promise<string[]> {
  const demo = (JSON.parse(readFileSync(realmFile, 'utf8')) as RealmFile[]).find(
    (r) => r.realm === 'demo',
  );
  const client = 'orders-api';
  const changes: string[] = [];
  const [found] = (await (await adminFetch(`/realms/demo/clients?clientId=${client}`)).json()) as {
    id: string;
  }[];
  if (!found) {
    throw new Error(`no client ${client} in realm demo`);
  }
  const rolesPath = `/realms/demo/clients/${found.id}/roles`;
  const existing = async () =>
    (await (await adminFetch(rolesPath)).json()) as { id: string; name: string }[];

  let roles = await existing();
  for (const role of demo?.roles?.client?.[client] ?? []) {
    if (!roles.some((r) => r.name === role.name)) {
      const res = await adminFetch(rolesPath, { method: 'POST', body: role });
      if (res.status !== 201) {
        throw new Error(`creating role ${role.name} failed: ${res.status} ${await res.text()}`);
      }
      changes.push(`created role ${client}:${role.name}`);
    }
  }
  roles = await existing();

  for (const user of demo?.users ?? []) {
    const wanted = user.clientRoles?.[client] ?? [];
    if (wanted.length === 0) {
      continue;
    }
    const mappings = `/realms/demo/users/${await userId(user.username)}/role-mappings/clients/${found.id}`;
    const held = (await (await adminFetch(mappings)).json()) as { name: string }[];
    const missing = roles.filter(
      (r) => wanted.includes(r.name) && !held.some((h) => h.name === r.name),
    );
    if (missing.length > 0) {
      const res = await adminFetch(mappings, { method: 'POST', body: missing });
      if (res.status !== 204) {
        throw new Error(
          `granting ${user.username} roles failed: ${res.status} ${await res.text()}`,
        );
      }
      changes.push(
        `granted ${user.username} ${missing.map((r) => `${client}:${r.name}`).join(', ')}`,
      );
    }
  }
  return changes;
}

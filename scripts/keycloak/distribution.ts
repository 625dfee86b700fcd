import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickJavaHome } from './java';
import type { HarnessLog, RunningKeycloak } from './types';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.KEYCLOAK_BFF_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'keycloak-bff')
  );
}

/**
 * The official distribution, fetched from Maven Central with `mvn dependency:copy` once and
 * unpacked beside the zip. Unpacking goes through a temp folder and a rename, so an interrupted
 * run never leaves a half-unpacked Keycloak to be reused.
 */
export function ensureDistribution(version: string, log: HarnessLog, dir = cacheDir()): string {
  const home = join(dir, `keycloak-${version}`);
  if (existsSync(join(home, 'bin', 'kc.sh'))) {
    log(`using cached Keycloak ${version} at ${home}`);
    return home;
  }
  mkdirSync(dir, { recursive: true });
  const zip = join(dir, `keycloak-quarkus-dist-${version}.zip`);
  if (!existsSync(zip)) {
    log(`fetching org.keycloak:keycloak-quarkus-dist:${version}:zip with Maven into ${dir}`);
    execFileSync(
      'mvn',
      [
        '-B',
        '-q',
        'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
        `-Dartifact=org.keycloak:keycloak-quarkus-dist:${version}:zip`,
        `-DoutputDirectory=${dir}`,
      ],
      { stdio: 'inherit' },
    );
  }
  const staging = mkdtempSync(join(dir, 'unpack-'));
  try {
    execFileSync('unzip', ['-q', zip, '-d', staging], { stdio: 'inherit' });
    renameSync(join(staging, `keycloak-${version}`), home);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`unpacked Keycloak ${version} to ${home}`);
  return home;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('no port'));
        }
      });
    });
  });
}

function tail(file: string, lines = 60): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Keycloak exited during start (code ${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Keycloak was not ready within ${timeoutMs} ms`);
}

function stopProcessGroup(child: ChildProcess, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      resolve();
      return;
    }
    const pid = child.pid;
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    killGroup(pid, 'SIGTERM');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // kc.sh starts java as a child: the whole process group has to go.
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export interface DistributionOptions {
  version: string;
  features: string;
  realmFile: string;
  adminUser: string;
  adminPassword: string;
  log: HarnessLog;
  port?: number;
  managementPort?: number;
  startTimeoutMs?: number;
}

/** `kc.sh start-dev` on 127.0.0.1, realm imported, health on the management port. */
export async function startDistribution(options: DistributionOptions): Promise<RunningKeycloak> {
  // Each run gets its own copy (186 MB, a fraction of a second): start-dev re-augments into
  // lib/ and reads data/import, so two runs sharing the cached tree would overwrite each other.
  const home = mkdtempSync(join(tmpdir(), 'keycloak-bff-run-'));
  cpSync(ensureDistribution(options.version, options.log), home, { recursive: true });
  const importDir = join(home, 'data', 'import');
  mkdirSync(importDir, { recursive: true });
  copyFileSync(options.realmFile, join(importDir, 'realm-export.json'));

  const java = pickJavaHome();
  if (java.major < 21) {
    options.log(
      `warning: no JDK 21+ found, starting Keycloak on Java ${java.major} (${java.home})`,
    );
  }
  const port = options.port ?? (await freePort());
  const managementPort = options.managementPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logDir = mkdtempSync(join(tmpdir(), 'keycloak-bff-kc-'));
  const logFile = join(logDir, 'keycloak.log');
  const out = openSync(logFile, 'a');
  options.log(
    `starting Keycloak ${options.version} from the Maven distribution on ${url} (Java ${java.major}, log ${logFile})`,
  );

  const child = spawn(
    join(home, 'bin', 'kc.sh'),
    [
      'start-dev',
      '--db=dev-mem',
      '--import-realm',
      '--health-enabled=true',
      '--http-host=127.0.0.1',
      `--http-port=${port}`,
      `--http-management-port=${managementPort}`,
      `--hostname=${url}`,
      `--features=${options.features}`,
    ],
    {
      cwd: home,
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        JAVA_HOME: java.home,
        KC_BOOTSTRAP_ADMIN_USERNAME: options.adminUser,
        KC_BOOTSTRAP_ADMIN_PASSWORD: options.adminPassword,
        // realm-export.json's partner identity provider fetches the partner realm's keys here.
        PARTNER_IDP_URL: url,
      },
    },
  );
  const killOnExit = (): void => {
    killGroup(child.pid ?? 0, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  try {
    await waitReady(
      `http://127.0.0.1:${managementPort}/health/ready`,
      child,
      options.startTimeoutMs ?? 240_000,
    );
  } catch (err: unknown) {
    process.stderr.write(
      `\n--- Keycloak log tail (${logFile}) ---\n${tail(logFile)}\n--- end ---\n`,
    );
    await stopProcessGroup(child);
    process.off('exit', killOnExit);
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  return {
    source: 'distribution',
    url,
    adminUser: options.adminUser,
    adminPassword: options.adminPassword,
    logFile,
    stop: async () => {
      await stopProcessGroup(child);
      process.off('exit', killOnExit);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
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
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AugmentationCache } from './augmentation-cache';
import { pickJavaHome } from './java';
import { guardProcessGroup, killGroup, stopProcessGroup } from './process-group';
import type { HarnessLog, RunningKeycloak } from './types';

import { freePort } from './ports';

// Tests and the benchmark import it from here.
export { freePort };

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

function tail(file: string, lines = 60): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Keycloak exited during start (code ${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      // Ours only while our process still runs: another Keycloak on the same port answers too.
      if (res.ok && child.exitCode === null && child.signalCode === null) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Keycloak was not ready within ${timeoutMs} ms`);
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
  /** Values for the `${NAME:default}` placeholders of realm-export.json, e.g. the BFF's URLs. */
  realmEnv?: Record<string, string>;
  /** Aborting stops a Keycloak that is still starting (the start then rejects). */
  signal?: AbortSignal;
}

/** What Keycloak's build step depends on: `start-dev`'s build options and the JVM. */
function buildOptions(features: string): string[] {
  return ['--db=dev-mem', '--health-enabled=true', `--features=${features}`];
}

/** `kc.sh start-dev` on 127.0.0.1, realm imported, health on the management port. */
export async function startDistribution(options: DistributionOptions): Promise<RunningKeycloak> {
  options.signal?.throwIfAborted();
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
  const build = buildOptions(options.features);
  const augmentation = new AugmentationCache(cacheDir(), options.version, [...build, java.home]);
  augmentation.restore(home, options.log);
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
      ...build,
      '--import-realm',
      '--http-host=127.0.0.1',
      `--http-port=${port}`,
      `--http-management-port=${managementPort}`,
      `--hostname=${url}`,
    ],
    {
      cwd: home,
      // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the whole group.
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        JAVA_HOME: java.home,
        KC_BOOTSTRAP_ADMIN_USERNAME: options.adminUser,
        KC_BOOTSTRAP_ADMIN_PASSWORD: options.adminPassword,
        // realm-export.json's partner identity provider fetches the partner realm's keys here.
        PARTNER_IDP_URL: url,
        ...options.realmEnv,
      },
    },
  );
  closeSync(out);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const pgid = child.pid;
  // Without a pid the spawn failed; waitReady reports the exit.
  const guard = pgid === undefined ? undefined : guardProcessGroup(pgid, { removeAfter: home });
  const killOnExit = (): void => {
    if (pgid !== undefined) {
      killGroup(pgid, 'SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    await stopProcessGroup(child);
    process.off('exit', killOnExit);
    rmSync(home, { recursive: true, force: true });
    guard?.release();
  };

  try {
    await waitReady(
      `http://127.0.0.1:${managementPort}/health/ready`,
      child,
      options.startTimeoutMs ?? 240_000,
      options.signal,
    );
  } catch (err: unknown) {
    if (!options.signal?.aborted) {
      process.stderr.write(
        `\n--- Keycloak log tail (${logFile}) ---\n${tail(logFile)}\n--- end ---\n`,
      );
    }
    await stop();
    throw err;
  }
  augmentation.save(home, options.log);
  return {
    source: 'distribution',
    url,
    managementUrl: `http://127.0.0.1:${managementPort}`,
    adminUser: options.adminUser,
    adminPassword: options.adminPassword,
    logFile,
    pid: pgid,
    exited,
    stop,
  };
}

import { join } from 'node:path';
import { startContainer } from './container';
import { startDistribution } from './distribution';
import { dockerAvailable } from './docker';
import { selectSource } from './select-source';
import type { HarnessLog, RunningKeycloak } from './types';
import { keycloakFeatures, keycloakVersion, REPO_ROOT } from './version';

export interface HarnessOptions {
  env?: NodeJS.ProcessEnv;
  log?: HarnessLog;
  /** Fixed ports for local dev; tests take free ones. */
  port?: number;
  managementPort?: number;
  /**
   * Values for realm-export.json's `${NAME:default}` placeholders, such as
   * `BFF_BACKCHANNEL_LOGOUT_URL`; Keycloak resolves them from its environment at import.
   */
  realmEnv?: Record<string, string>;
  /** Aborting stops a Keycloak that is still starting. */
  signal?: AbortSignal;
}

/**
 * Gets a Keycloak with the demo realm: an external KEYCLOAK_URL, else testcontainers where a
 * Docker engine answers, else the official distribution from Maven Central.
 */
export async function startKeycloak(options: HarnessOptions = {}): Promise<RunningKeycloak> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => process.stderr.write(`[keycloak-harness] ${m}\n`));
  const adminUser = env.KEYCLOAK_ADMIN_USERNAME ?? 'admin';
  const adminPassword = env.KEYCLOAK_ADMIN_PASSWORD ?? 'admin';
  const source = await selectSource({
    externalUrl: env.KEYCLOAK_URL,
    forced: env.KEYCLOAK_HARNESS,
    dockerAvailable: () => dockerAvailable(env),
  });
  log(`Keycloak source: ${source}`);
  const version = keycloakVersion();
  const features = keycloakFeatures();
  const realmFile = join(REPO_ROOT, 'realm-export.json');
  switch (source) {
    case 'external':
      return {
        source,
        url: (env.KEYCLOAK_URL ?? '').replace(/\/+$/, ''),
        adminUser,
        adminPassword,
        stop: () => Promise.resolve(),
      };
    case 'testcontainers':
      return startContainer({
        version,
        features,
        realmFile,
        adminUser,
        adminPassword,
        log,
        realmEnv: options.realmEnv,
      });
    case 'distribution':
      return startDistribution({
        version,
        features,
        realmFile,
        adminUser,
        adminPassword,
        log,
        port: options.port,
        managementPort: options.managementPort,
        realmEnv: options.realmEnv,
        signal: options.signal,
      });
  }
}

/** The environment the BFF needs to run against a harness Keycloak with the demo realm. */
export function bffEnv(keycloak: RunningKeycloak): Record<string, string> {
  return {
    KEYCLOAK_URL: keycloak.url,
    KEYCLOAK_REALM: 'demo',
    KEYCLOAK_CLIENT_ID: 'bff',
    KEYCLOAK_CLIENT_SECRET: 'bff-secret',
    KEYCLOAK_ADMIN_USERNAME: keycloak.adminUser,
    KEYCLOAK_ADMIN_PASSWORD: keycloak.adminPassword,
  };
}

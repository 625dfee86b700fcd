import { bffEnv, startKeycloak } from '../../scripts/keycloak/harness';
import type { RunningKeycloak } from '../../scripts/keycloak/types';

declare global {
  var __KEYCLOAK__: RunningKeycloak | undefined;
}

/** Starts (or finds) the one Keycloak every e2e test uses; workers inherit the env set here. */
export default async function globalSetup(): Promise<void> {
  const keycloak = await startKeycloak();
  globalThis.__KEYCLOAK__ = keycloak;
  Object.assign(process.env, bffEnv(keycloak), {
    KEYCLOAK_HARNESS_SOURCE: keycloak.source,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  });
  process.stderr.write(
    `[keycloak-harness] Keycloak ready at ${keycloak.url} (${keycloak.source})\n`,
  );
}

import { spawnSync } from 'node:child_process';

export type StackMode = 'compose' | 'distribution';

export interface ModeInputs {
  /** KEYCLOAK_URL: the BFF runs against that Keycloak, none is started. */
  keycloakUrl?: string;
  /** KEYCLOAK_HARNESS: `distribution` skips compose even where Docker answers. */
  harness?: string;
  session: boolean;
  dockerEngine: () => Promise<boolean>;
  composeV2: () => boolean;
}

export interface ModeChoice {
  mode: StackMode;
  /** One line for the terminal: why this way. */
  why: string;
}

/**
 * docker compose when it can run docker-compose.yml, else the Keycloak distribution with the
 * BFF as a local process. The compose file needs Compose v2 (top-level `name:`): an engine
 * with only Compose 1.x, or no compose at all, falls back instead of failing.
 */
export async function chooseStackMode(inputs: ModeInputs): Promise<ModeChoice> {
  if (inputs.keycloakUrl) {
    return {
      mode: 'distribution',
      why: `KEYCLOAK_URL is set: the BFF runs against ${inputs.keycloakUrl}, no Keycloak is started`,
    };
  }
  if (inputs.harness === 'distribution') {
    return { mode: 'distribution', why: 'KEYCLOAK_HARNESS=distribution: Keycloak distribution' };
  }
  if (inputs.harness) {
    throw new Error(
      `KEYCLOAK_HARNESS=${inputs.harness}: npm run stack takes only distribution (or nothing)`,
    );
  }
  if (inputs.session) {
    return {
      mode: 'distribution',
      why: '--session: the BFF runs here in cookie mode, next to the Keycloak distribution',
    };
  }
  if (!(await inputs.dockerEngine())) {
    return { mode: 'distribution', why: 'no Docker engine answers: Keycloak distribution' };
  }
  if (!inputs.composeV2()) {
    return {
      mode: 'distribution',
      why:
        'a Docker engine answers but `docker compose` (Compose v2) does not: Keycloak ' +
        'distribution instead (Compose 1.x, `docker-compose`, cannot read docker-compose.yml)',
    };
  }
  return { mode: 'compose', why: 'Docker engine and Compose v2 found: docker compose up --build' };
}

/** True when the `docker compose` plugin (Compose v2) runs. */
export function composeV2Available(): boolean {
  const result = spawnSync('docker', ['compose', 'version', '--short'], {
    stdio: 'ignore',
    timeout: 15_000,
  });
  return result.status === 0;
}

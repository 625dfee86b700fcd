import type { HarnessLog, RunningKeycloak } from './types';

export interface ContainerOptions {
  version: string;
  features: string;
  realmFile: string;
  adminUser: string;
  adminPassword: string;
  log: HarnessLog;
  /** Values for realm-export.json's `${NAME:default}` placeholders. */
  realmEnv?: Record<string, string>;
}

/** quay.io/keycloak/keycloak at the pinned version, for machines with a Docker engine. */
export async function startContainer(options: ContainerOptions): Promise<RunningKeycloak> {
  // Loaded only on this path: testcontainers is heavy and useless without an engine.
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = `quay.io/keycloak/keycloak:${options.version}`;
  options.log(`starting Keycloak with testcontainers (${image})`);
  const container = await new GenericContainer(image)
    .withCommand([
      'start-dev',
      '--db=dev-mem',
      '--import-realm',
      '--health-enabled=true',
      `--features=${options.features}`,
    ])
    .withEnvironment({
      KC_BOOTSTRAP_ADMIN_USERNAME: options.adminUser,
      KC_BOOTSTRAP_ADMIN_PASSWORD: options.adminPassword,
      ...options.realmEnv,
    })
    .withCopyFilesToContainer([
      { source: options.realmFile, target: '/opt/keycloak/data/import/realm-export.json' },
    ])
    .withExposedPorts(8080, 9000)
    .withWaitStrategy(Wait.forHttp('/health/ready', 9000).forStatusCode(200))
    .withStartupTimeout(240_000)
    .start();
  return {
    source: 'testcontainers',
    url: `http://${container.getHost()}:${container.getMappedPort(8080)}`,
    adminUser: options.adminUser,
    adminPassword: options.adminPassword,
    stop: async () => {
      await container.stop();
    },
  };
}

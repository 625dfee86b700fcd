/** Where a Keycloak for tests and local dev comes from, in order of preference. */
export type KeycloakSource = 'external' | 'testcontainers' | 'distribution';

export interface SourceInputs {
  /** KEYCLOAK_URL from the environment. */
  externalUrl?: string;
  /** KEYCLOAK_HARNESS=distribution|testcontainers forces a path (e.g. to test the fallback). */
  forced?: string;
  dockerAvailable: () => Promise<boolean>;
}

export async function selectSource(inputs: SourceInputs): Promise<KeycloakSource> {
  if (inputs.externalUrl) {
    return 'external';
  }
  if (inputs.forced === 'distribution' || inputs.forced === 'testcontainers') {
    return inputs.forced;
  }
  if (inputs.forced) {
    throw new Error(`KEYCLOAK_HARNESS=${inputs.forced} is not one of distribution, testcontainers`);
  }
  return (await inputs.dockerAvailable()) ? 'testcontainers' : 'distribution';
}

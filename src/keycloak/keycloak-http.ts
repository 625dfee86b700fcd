import type { AxiosResponse } from 'axios';
import { type KeycloakEndpoint, narrowKeycloakError } from './keycloak.errors';

/** Awaits a call to Keycloak and narrows any failure into our error classes (cause kept). */
export async function callKeycloak<T>(
  endpoint: KeycloakEndpoint,
  request: () => Promise<AxiosResponse<T>>,
): Promise<T> {
  try {
    const response = await request();
    return response.data;
  } catch (err: unknown) {
    throw narrowKeycloakError(err, endpoint);
  }
}

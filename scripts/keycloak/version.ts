import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

/** The pinned Keycloak version: the image tag in docker-compose.yml is its one home. */
export function keycloakVersion(composeFile = join(REPO_ROOT, 'docker-compose.yml')): string {
  const compose = readFileSync(composeFile, 'utf8');
  const match = /image:\s*quay\.io\/keycloak\/keycloak:(\d+\.\d+\.\d+)/.exec(compose);
  if (!match?.[1]) {
    throw new Error(`No quay.io/keycloak/keycloak:<version> image in ${composeFile}`);
  }
  return match[1];
}

/**
 * The Keycloak features the demo realm needs (legacy token exchange), pinned once beside the
 * version: the `--features=` of the compose command.
 */
export function keycloakFeatures(composeFile = join(REPO_ROOT, 'docker-compose.yml')): string {
  const match = /--features=([\w:,-]+)/.exec(readFileSync(composeFile, 'utf8'));
  if (!match?.[1]) {
    throw new Error(`No --features=… in the Keycloak command of ${composeFile}`);
  }
  return match[1];
}

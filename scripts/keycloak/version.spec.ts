import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keycloakFeatures, keycloakVersion } from './version';

describe(keycloakVersion.name, () => {
  it('should read the pinned version from docker-compose.yml', () => {
    expect(keycloakVersion()).toMatch(/^26\.\d+\.\d+$/);
  });

  it('should fail when the compose file pins no Keycloak image', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'compose-')), 'docker-compose.yml');
    writeFileSync(file, 'services:\n  kc:\n    image: keycloak:latest\n');
    expect(() => keycloakVersion(file)).toThrow(/No quay.io\/keycloak\/keycloak/);
  });
});

describe(keycloakFeatures.name, () => {
  it('should read the legacy token-exchange features from docker-compose.yml', () => {
    expect(keycloakFeatures().split(',')).toEqual([
      'token-exchange',
      'admin-fine-grained-authz:v1',
    ]);
  });

  it('should fail when the compose command has no --features', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'compose-')), 'docker-compose.yml');
    writeFileSync(file, "command: ['start-dev']\n");
    expect(() => keycloakFeatures(file)).toThrow(/No --features/);
  });
});

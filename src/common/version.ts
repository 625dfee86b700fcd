import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Our package version, found by walking up from this file (works from src/ and dist/). */
function readVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'keycloak-bff' && pkg.version) {
        return pkg.version;
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const VERSION = readVersion();

/** Sent on every request to Keycloak: WAFs in front of Keycloak refuse requests without one. */
export const USER_AGENT = `keycloak-bff/${VERSION}`;

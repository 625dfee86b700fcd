import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminFetch } from './keycloak';

const REALM_FILE = join(__dirname, '..', '..', 'realm-export.json');

type Representation = Record<string, unknown> & {
  realm: string;
  clients?: (Record<string, unknown> & { clientId: string })[];
  roles?: { client?: Record<string, unknown> };
};

/**
 * realm-export.json's demo realm under another name, so that a test can change it freely
 * (the demo realm is shared by every test and every developer). Left out: what carries ids
 * that must be unique across realms (the fixed client id, the identity provider and the
 * realm-management client's permissions that name both), which nothing copied here needs;
 * Keycloak creates realm-management and its roles itself.
 */
export function demoRealmCopy(realm: string): Representation {
  // What Keycloak's import does to `${NAME:default}` in the file (the Admin API does not).
  const text = readFileSync(REALM_FILE, 'utf8').replace(
    /\$\{([A-Z][A-Z0-9_]*):([^}]*)\}/g,
    (_, name: string, fallback: string) => process.env[name] ?? fallback,
  );
  const file = JSON.parse(text) as Representation[];
  const demo = file.find((r) => r.realm === 'demo');
  if (!demo) {
    throw new Error('realm-export.json has no demo realm');
  }
  const { identityProviders: _idps, ...copy } = structuredClone(demo);
  copy.realm = realm;
  copy.clients = (copy.clients ?? [])
    .filter((c) => c.clientId !== 'realm-management')
    .map(({ id: _id, ...client }) => client);
  if (copy.roles?.client) {
    delete copy.roles.client['realm-management'];
  }
  return copy;
}

/** Creates the copy through the Admin API (a realm of that name must not exist). */
export async function createDemoRealmCopy(realm: string): Promise<void> {
  const res = await adminFetch('/realms', { method: 'POST', body: demoRealmCopy(realm) });
  if (res.status !== 201) {
    throw new Error(`creating realm ${realm} failed: ${res.status} ${await res.text()}`);
  }
}

export async function deleteRealm(realm: string): Promise<void> {
  const res = await adminFetch(`/realms/${realm}`, { method: 'DELETE' });
  if (res.status !== 204 && res.status !== 404) {
    throw new Error(`deleting realm ${realm} failed: ${res.status} ${await res.text()}`);
  }
}

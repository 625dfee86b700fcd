import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeycloakEnv } from '../src/config/keycloak.config';
import { adminFetch, decodeJwt, kc, passwordGrant } from './utils/keycloak';
import { startProxy } from '../scripts/support/keycloak-proxy';
import { createTestApp, type TestApp } from './utils/test-app';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Adds an RSA key to the demo realm that outranks its own, so Keycloak signs new tokens with
 * it (a rotation, as an operator does it in the admin console). Returns the component's URL.
 */
async function addRealmKey(name: string): Promise<string> {
  const realm = (await (await adminFetch('/realms/demo')).json()) as { id: string };
  const res = await adminFetch('/realms/demo/components', {
    method: 'POST',
    body: {
      name,
      providerId: 'rsa-generated',
      providerType: 'org.keycloak.keys.KeyProvider',
      parentId: realm.id,
      config: { priority: ['5000'], active: ['true'], enabled: ['true'], algorithm: ['RS256'] },
    },
  });
  expect(res.status).toBe(201);
  const location = res.headers.get('location');
  if (!location) {
    throw new Error('no Location for the new key component');
  }
  return new URL(location).pathname.replace(/^\/admin/, '');
}

/** Alice's token, checked to be signed by the key just added (not the realm's old one). */
async function aliceTokenSignedByNewKey(oldKids: Set<string>): Promise<string> {
  const token = (await passwordGrant('alice', 'alice-password')).access_token;
  const kid = String(decodeJwt(token).header.kid);
  expect(oldKids.has(kid)).toBe(false);
  return token;
}

async function realmKids(): Promise<Set<string>> {
  const res = await fetch(`${kc.realmUrl()}/protocol/openid-connect/certs`);
  const { keys } = (await res.json()) as { keys: { kid: string }[] };
  return new Set(keys.map((k) => k.kid));
}

describe('Realm signing keys (real Keycloak): removal and rotation (issue 12)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    // Whatever happened, the realm signs with its own key again for the tests that follow.
    while (cleanups.length > 0) {
      await cleanups.pop()?.();
    }
  });

  it('should refuse tokens of a key disabled in Keycloak within the refresh interval, cached or not', async () => {
    const refreshMs = 2000;
    const oldKids = await realmKids();
    const component = await addRealmKey(`e2e-disable-${Date.now()}`);
    cleanups.push(() => adminFetch(component, { method: 'DELETE' }));
    const t: TestApp = await createTestApp({ JWKS_REFRESH_INTERVAL_MS: String(refreshMs) });
    cleanups.push(() => t.close());
    const token = await aliceTokenSignedByNewKey(oldKids);

    // Accepted, and now in the verified-token cache.
    for (const url of ['/auth/claims', '/auth/claims', '/users?max=1']) {
      expect((await t.inject({ method: 'GET', url, headers: bearer(token) })).statusCode).toBe(200);
    }

    const representation = (await (await adminFetch(component)).json()) as {
      config: Record<string, string[]>;
    };
    const disabled = await adminFetch(component, {
      method: 'PUT',
      body: { ...representation, config: { ...representation.config, enabled: ['false'] } },
    });
    expect(disabled.status).toBe(204);
    const disabledAt = Date.now();

    // The token keeps its admin role and its exp: only the key it was signed with is gone.
    let refusedAfterMs = Number.NaN;
    let last = 0;
    while (Date.now() - disabledAt < refreshMs * 5) {
      const res = await t.inject({ method: 'GET', url: '/auth/claims', headers: bearer(token) });
      last = res.statusCode;
      if (res.statusCode === 401) {
        refusedAfterMs = Date.now() - disabledAt;
        expect(res.json()).toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
        break;
      }
      await sleep(100);
    }
    process.stderr.write(`[jwks e2e] disabled key's token refused after ${refusedAfterMs} ms\n`);
    expect(last).toBe(401);
    // One refresh interval, plus the fetch itself.
    expect(refusedAfterMs).toBeLessThanOrEqual(refreshMs + 1000);
    const admin = await t.inject({ method: 'GET', url: '/users?max=1', headers: bearer(token) });
    expect(admin.statusCode).toBe(401);
    expect(admin.json()).toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
  });

  it('should accept a rotated key within a few seconds while random kids flood in, with at most one JWKS fetch per cooldown', async () => {
    // The default cooldown, as an operator who sets nothing gets it.
    const cooldownMs = new KeycloakEnv().JWKS_REFETCH_COOLDOWN_MS;
    expect(cooldownMs).toBeLessThanOrEqual(5000);
    const proxy = await startProxy(kc.url());
    cleanups.push(() => proxy.close());
    const t = await createTestApp({ KEYCLOAK_URL: proxy.url, KEYCLOAK_PUBLIC_URL: kc.url() });
    cleanups.push(() => t.close());
    const certs = () =>
      proxy.seen.filter((r) => r.path.endsWith('/protocol/openid-connect/certs')).length;
    const oldKids = await realmKids();
    const { payload } = decodeJwt((await passwordGrant('bob', 'bob-password')).access_token);

    // The attacker: a token with a never-seen kid every 20 ms, for the whole test.
    let flooding = true;
    let forged = 0;
    const flood = (async () => {
      while (flooding) {
        const token = `${b64({ alg: 'RS256', typ: 'JWT', kid: randomUUID() })}.${b64(payload)}.c2ln`;
        const res = await t.inject({ method: 'GET', url: '/auth/claims', headers: bearer(token) });
        expect(res.statusCode).toBe(401);
        forged++;
        await sleep(20);
      }
    })();
    const certsBefore = certs();
    const floodStart = Date.now();
    let acceptedAfterMs = Number.NaN;
    try {
      await sleep(cooldownMs + 1000);
      const component = await addRealmKey(`e2e-rotate-${Date.now()}`);
      cleanups.push(() => adminFetch(component, { method: 'DELETE' }));
      const rotatedAt = Date.now();
      const token = await aliceTokenSignedByNewKey(oldKids);
      while (Date.now() - rotatedAt < 40_000) {
        const res = await t.inject({ method: 'GET', url: '/auth/claims', headers: bearer(token) });
        if (res.statusCode === 200) {
          acceptedAfterMs = Date.now() - rotatedAt;
          break;
        }
        expect(res.json()).toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
        await sleep(100);
      }
    } finally {
      flooding = false;
      await flood;
    }
    const floodMs = Date.now() - floodStart;
    const fetches = certs() - certsBefore;
    process.stderr.write(
      `[jwks e2e] rotated key accepted after ${acceptedAfterMs} ms under a flood of ${forged} forged kids in ${floodMs} ms; ${fetches} JWKS fetches (cooldown ${cooldownMs} ms)\n`,
    );
    expect(forged).toBeGreaterThan(100);
    expect(acceptedAfterMs).toBeLessThanOrEqual(cooldownMs + 1000);
    expect(fetches).toBeLessThanOrEqual(Math.ceil(floodMs / cooldownMs));
  });
});

import { randomUUID } from 'node:crypto';
import { load } from '../measure';
import { type BenchRun, type BenchScenario, type ScenarioOutcome, target } from './scenario';

/**
 * 3. A flood of tokens with random kids costs at most one JWKS fetch per cooldown on process B;
 * then a real key rotation, and how soon B accepts a token signed by the new key.
 */
export class UnknownKidScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    const { b, proxy, user, quick, cooldownMs } = bench;
    bench.log('3. unknown-kid flood and key rotation');
    const flood = quick ? 2000 : 10_000;
    const [, payload] = user.access_token.split('.');
    const certs = () =>
      proxy.seen.filter((r) => r.path.endsWith('/protocol/openid-connect/certs')).length;
    const certsBefore = certs();
    const floodStart = Date.now();
    await load({
      url: `${b.url}/bench/guarded`,
      amount: flood,
      connections: 32,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            headers: {
              authorization: `Bearer ${Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: randomUUID() })).toString('base64url')}.${payload}.c2ln`,
            },
          }),
        },
      ],
    });
    const floodMs = Date.now() - floodStart;
    const fetches = certs() - certsBefore;
    const windows = Math.ceil(floodMs / cooldownMs);
    const acceptedMs = await rotatedKeyAcceptedAfterMs(bench);
    return {
      results: {
        unknownKid: {
          requests: flood,
          durationMs: floodMs,
          jwksFetches: fetches,
          cooldownMs,
          cooldownWindows: windows,
          rotatedKeyAcceptedAfterMs: acceptedMs,
        },
      },
      targets: [
        target(
          '3 unknown kid',
          'JWKS fetches per cooldown window in the flood',
          fetches / windows,
          '≤ 1',
          fetches <= windows,
        ),
        target(
          '3 unknown kid',
          'rotated key accepted after (ms)',
          acceptedMs,
          `≤ ${cooldownMs} (one cooldown)`,
          acceptedMs <= cooldownMs + 500,
        ),
      ],
    };
  }
}

/**
 * Adds a higher-priority RS256 key provider to the demo realm, so Keycloak signs with a key B
 * has never seen, and polls B with such a token until it is accepted (NaN if it never is within
 * four cooldowns). The provider is removed again whatever happens.
 */
async function rotatedKeyAcceptedAfterMs(bench: BenchRun): Promise<number> {
  const { keycloak, b, cooldownMs } = bench;
  const kc = keycloak.url;
  const admin = await bench.adminHeaders();
  const realmId = (
    (await (await fetch(`${kc}/admin/realms/demo`, { headers: admin })).json()) as { id: string }
  ).id;
  const created = await fetch(`${kc}/admin/realms/demo/components`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({
      name: `bench-rotation-${Date.now()}`,
      providerId: 'rsa-generated',
      providerType: 'org.keycloak.keys.KeyProvider',
      parentId: realmId,
      config: { priority: ['1000'], active: ['true'], enabled: ['true'] },
    }),
  });
  const componentUrl = created.headers.get('location');
  const rotatedAt = Date.now();
  let acceptedMs = Number.NaN;
  try {
    const rotated = (
      await bench.grant({
        grant_type: 'password',
        client_id: 'bff',
        client_secret: 'bff-secret',
        username: 'alice',
        password: 'alice-password',
      })
    ).access_token;
    while (Date.now() - rotatedAt < cooldownMs * 4) {
      const res = await fetch(`${b.url}/bench/guarded`, {
        headers: { authorization: `Bearer ${rotated}` },
      });
      if (res.ok) {
        acceptedMs = Date.now() - rotatedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    if (componentUrl) {
      await fetch(componentUrl, { method: 'DELETE', headers: admin });
    }
  }
  return acceptedMs;
}

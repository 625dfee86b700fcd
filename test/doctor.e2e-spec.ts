import { randomBytes } from 'node:crypto';
import { startProxy } from '../scripts/support/keycloak-proxy';
import { row as check, runDoctor as doctor } from './utils/doctor';
import { ensureRealm, kc } from './utils/keycloak';
import { createDemoRealmCopy, deleteRealm } from './utils/realm-copy';

/**
 * realm-export.json's demo realm as it is now: the demo realm of a Keycloak kept running
 * (KEYCLOAK_URL) may have imported an older file, and the rows that read the realm's settings
 * need what the file grants today.
 */
const DEMO = `demo-doctor-${randomBytes(4).toString('hex')}`;

describe('doctor (real Keycloak)', () => {
  beforeAll(async () => {
    await createDemoRealmCopy(DEMO);
    // A realm with each problem on purpose.
    await ensureRealm({
      realm: 'broken',
      enabled: true,
      clients: [
        {
          clientId: 'bff',
          publicClient: false,
          secret: 'broken-secret',
          standardFlowEnabled: false,
          redirectUris: ['http://localhost:3000/*'],
          directAccessGrantsEnabled: false,
          serviceAccountsEnabled: true,
        },
      ],
    });
  });

  afterAll(async () => {
    await deleteRealm(DEMO);
  });

  it('should pass every check against the demo realm, skipping the session, proxy and Redis rows, and exit 0', async () => {
    const run = await doctor({
      KEYCLOAK_REALM: DEMO,
      DOCTOR_USERNAME: 'alice',
      DOCTOR_PASSWORD: 'alice-password',
    });
    expect(run.checks.map((c) => [c.id, c.status])).toEqual([
      ...Array.from({ length: 14 }, (_, i) => [i + 1, 'PASS']),
      ...Array.from({ length: 7 }, (_, i) => [i + 15, 'SKIP']),
    ]);
    expect(check(run, 9).found).toBe(
      'Standard token exchange is on; audiences orders-api available',
    );
    expect(run.code).toBe(0);
  });

  it('should print a table with the status and a summary', async () => {
    const run = await doctor({ KEYCLOAK_REALM: DEMO }, []);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^1\\. discovery\\s+PASS\\s+Realm '${DEMO}' found`, 'm'));
    expect(run.stdout).toMatch(/^all checks passed, 0 warning\(s\)$/m);
  });

  it('should name each problem of the broken realm with its fix', async () => {
    const run = await doctor({ KEYCLOAK_REALM: 'broken', KEYCLOAK_CLIENT_SECRET: 'broken-secret' });
    expect(run.code).toBe(1);
    expect(check(run, 4).status).toBe('PASS');
    expect(check(run, 5)).toMatchObject({
      status: 'FAIL',
      found: expect.stringContaining('direct access grants: off'),
      fix: expect.stringContaining('Enable "Direct access grants" on client \'bff\''),
    });
    expect(check(run, 5).found).toContain('standard flow: off');
    expect(check(run, 6)).toMatchObject({
      status: 'FAIL',
      found: expect.stringContaining("Tokens of 'bff' carry aud ["),
      fix: expect.stringContaining('"Audience" mapper'),
    });
    expect(check(run, 8)).toMatchObject({
      status: 'FAIL',
      found: 'service-account-bff lacks realm-management view-users and query-users',
    });
    expect(check(run, 9)).toMatchObject({
      status: 'FAIL',
      found: expect.stringContaining("Standard token exchange is off for client 'bff'"),
      fix: expect.stringContaining('standard.token.exchange.enabled=true'),
    });
  });

  it('should tell a wrong secret', async () => {
    const run = await doctor({ KEYCLOAK_CLIENT_SECRET: 'wrong' });
    expect(run.code).toBe(1);
    expect(check(run, 4)).toMatchObject({
      status: 'FAIL',
      found: "Client 'bff' exists but KEYCLOAK_CLIENT_SECRET is wrong (or the client is public)",
    });
    expect(check(run, 5).status).toBe('SKIP');
  });

  it('should tell an unknown client from a wrong secret', async () => {
    const run = await doctor({ KEYCLOAK_CLIENT_ID: 'no-such-client' });
    expect(check(run, 4)).toMatchObject({
      status: 'FAIL',
      found: "Keycloak knows no client 'no-such-client' in realm 'demo'",
    });
    expect(run.code).toBe(1);
  });

  it('should name a wrong realm', async () => {
    const run = await doctor({ KEYCLOAK_REALM: 'nope' });
    expect(run.code).toBe(1);
    expect(check(run, 1)).toMatchObject({
      status: 'FAIL',
      found: `Realm 'nope' does not exist at ${kc.url()}`,
      fix: expect.stringContaining('KEYCLOAK_REALM'),
    });
  });

  it('should show both issuers for a wrong public URL', async () => {
    const run = await doctor({ KEYCLOAK_PUBLIC_URL: 'https://sso.example.com' });
    expect(run.code).toBe(1);
    expect(check(run, 2)).toMatchObject({
      status: 'FAIL',
      found: `Keycloak says issuer '${kc.realmUrl()}' but the BFF expects 'https://sso.example.com/realms/demo'; every token would be rejected (TOKEN_ISSUER_MISMATCH)`,
      fix: `Set KEYCLOAK_PUBLIC_URL=${kc.url()} (the URL in the issuer), or fix Keycloak's hostname setting.`,
    });
  });

  it('should pass behind a proxy that refuses requests without a User-Agent', async () => {
    const proxy = await startProxy(kc.url(), { requireUserAgent: true });
    try {
      const run = await doctor({
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
        KEYCLOAK_REALM: DEMO,
      });
      expect(run.checks.filter((c) => c.status === 'WARN' || c.status === 'FAIL')).toEqual([]);
      expect(run.code).toBe(0);
      expect(proxy.seen.length).toBeGreaterThan(5);
      expect(proxy.seen.every((r) => r.userAgent?.startsWith('keycloak-bff/'))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('should fail the JWKS check naming the 403 when a proxy refuses everything', async () => {
    const proxy = await startProxy(kc.url());
    proxy.refuseAll = true;
    try {
      const run = await doctor({ KEYCLOAK_URL: proxy.url, KEYCLOAK_PUBLIC_URL: kc.url() });
      expect(run.code).toBe(1);
      expect(check(run, 3)).toMatchObject({
        status: 'FAIL',
        found: expect.stringContaining('answered 403'),
      });
      expect(check(run, 3).fix).toContain('WAF');
    } finally {
      await proxy.close();
    }
  });
});

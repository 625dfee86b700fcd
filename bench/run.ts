/**
 * `npm run bench [-- --quick] [--only=<scenario>]`: the BFF against its own baseline and the
 * physical limit, as ratios measured side by side in one run (interleaved rounds, medians).
 * docs/benchmarks.md explains each figure. Targets are goals, printed as PASS/FAIL; the exit code only reports crashes.
 */
import { startKeycloak } from '../scripts/keycloak/harness';
import type { RunningKeycloak } from '../scripts/keycloak/types';
import { startProxy } from '../scripts/support/keycloak-proxy';
import { startBff } from './bff-process';
import { rssMb } from './measure';
import { report } from './report';
import { AdminLookupScenario } from './scenarios/admin-lookup';
import { ApiProxyScenario } from './scenarios/api-proxy';
import { FootprintScenario } from './scenarios/footprint';
import { GuardCostScenario } from './scenarios/guard-cost';
import { IntrospectionScenario } from './scenarios/introspection';
import { KeycloakCallsScenario } from './scenarios/keycloak-calls';
import { ObservabilityScenario } from './scenarios/observability';
import type { BenchRun, BenchScenario, Target, Tokens } from './scenarios/scenario';
import { TokenProxyScenario } from './scenarios/token-proxy';
import { UnknownKidScenario } from './scenarios/unknown-kid';

const quick = process.argv.includes('--quick');
/**
 * `--only=introspection`: the scenarios whose class name starts so (case-insensitive), for a quick
 * look at one; scenarios 2 and 6 need scenario 1 and cannot run alone.
 */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const COOLDOWN_MS = 5000;
const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);

/**
 * In docs/benchmarks.md's order, which they must keep: scenario 2 counts what scenario 1's load
 * cost Keycloak, and scenario 6 reports memory as it was after that load.
 */
const SCENARIOS: BenchScenario[] = [
  new GuardCostScenario(),
  new KeycloakCallsScenario(),
  new UnknownKidScenario(),
  new AdminLookupScenario(),
  new TokenProxyScenario(),
  new FootprintScenario(),
  new IntrospectionScenario(),
  new ApiProxyScenario(),
  new ObservabilityScenario(),
];

async function main(): Promise<void> {
  const keycloak = await startKeycloak({ log });
  const kc = keycloak.url;
  const proxy = await startProxy(kc);
  const bffEnv = {
    KEYCLOAK_REALM: 'demo',
    KEYCLOAK_CLIENT_ID: 'bff',
    KEYCLOAK_CLIENT_SECRET: 'bff-secret',
  };
  // A: what users run (defaults, direct). B: no verified-token cache, behind a counting proxy.
  const a = await startBff({ ...bffEnv, KEYCLOAK_URL: kc });
  const b = await startBff({
    ...bffEnv,
    KEYCLOAK_URL: proxy.url,
    KEYCLOAK_PUBLIC_URL: kc,
    AUTH_TOKEN_CACHE_SIZE: '0',
    JWKS_REFETCH_COOLDOWN_MS: String(COOLDOWN_MS),
  });
  const results: Record<string, unknown> = {};
  const targets: Target[] = [];
  const rssMbAfterStart = rssMb(a.pid);
  try {
    const realmUrl = `${kc}/realms/demo`;
    const grant = async (body: Record<string, string>): Promise<Tokens> =>
      (await (
        await fetch(`${realmUrl}/protocol/openid-connect/token`, {
          method: 'POST',
          body: new URLSearchParams(body),
        })
      ).json()) as Tokens;
    const user = await grant({
      grant_type: 'password',
      client_id: 'bff',
      client_secret: 'bff-secret',
      username: 'alice',
      password: 'alice-password',
      scope: 'openid',
    });
    const bench: BenchRun = {
      quick,
      rounds: quick ? 2 : 5,
      seconds: quick ? 2 : 5,
      cooldownMs: COOLDOWN_MS,
      log,
      keycloak,
      realmUrl,
      proxy,
      a,
      b,
      bffEnv,
      user,
      grant,
      adminHeaders: once(() => masterAdminHeaders(keycloak)),
      carried: { rssMbAfterStart },
    };
    const selected = only
      ? SCENARIOS.filter((s) => s.constructor.name.toLowerCase().startsWith(only.toLowerCase()))
      : SCENARIOS;
    if (selected.length === 0) {
      throw new Error(`--only=${only} names no scenario`);
    }
    for (const scenario of selected) {
      const outcome = await scenario.run(bench);
      Object.assign(results, outcome.results);
      targets.push(...outcome.targets);
    }
  } finally {
    await a.stop();
    await b.stop();
    await proxy.close();
    await keycloak.stop();
  }

  report(quick, keycloak, results, targets, { partial: only !== undefined });
}

/** The master realm's admin, for the key rotation and the user lookup's id. */
async function masterAdminHeaders(keycloak: RunningKeycloak): Promise<Record<string, string>> {
  const adminToken = (await (
    await fetch(`${keycloak.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'admin-cli',
        username: keycloak.adminUser,
        password: keycloak.adminPassword,
      }),
    })
  ).json()) as { access_token: string };
  return {
    authorization: `Bearer ${adminToken.access_token}`,
    'content-type': 'application/json',
  };
}

/** The first call's promise, shared by every later call. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});

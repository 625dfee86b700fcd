import type { RunningKeycloak } from '../../scripts/keycloak/types';
import type { KeycloakProxy } from '../../scripts/support/keycloak-proxy';
import type { BffProcess } from '../bff-process';

/** One figure against its goal: a row of the printed table and of `targets` in results/*.json. */
export interface Target {
  scenario: string;
  figure: string;
  value: number;
  target: string;
  pass: boolean;
}

/** What a scenario measured: its entries under `results`, and its targets. */
export interface ScenarioOutcome {
  results: Record<string, unknown>;
  targets: Target[];
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

/**
 * Figures taken at one point of the run for a scenario that reports them later: scenario 2
 * counts what scenario 1's load cost Keycloak, scenario 6 reports memory after it.
 */
export interface Carried {
  /** Process A's RSS right after start. */
  rssMbAfterStart: number;
  /** Set by guard cost: process A's RSS after its load. */
  rssMbAfterGuardLoad?: number;
  /** Set by guard cost: what process B served and asked Keycloak during its guarded load. */
  guardLoadOnB?: { guardedRequests: number; keycloakCalls: number };
}

/** What every scenario works with; run.ts sets it up once and tears it down at the end. */
export interface BenchRun {
  quick: boolean;
  /** Interleaved A/B rounds of a throughput comparison. */
  rounds: number;
  /** Seconds of one load run. */
  seconds: number;
  /** Process B's JWKS_REFETCH_COOLDOWN_MS. */
  cooldownMs: number;
  log(message: string): void;
  keycloak: RunningKeycloak;
  /** `${keycloak.url}/realms/demo`, called directly (not through the proxy). */
  realmUrl: string;
  /** The counting proxy in front of Keycloak that process B talks to. */
  proxy: KeycloakProxy;
  /** The default configuration, straight to Keycloak: what users run. */
  a: BffProcess;
  /** No verified-token cache, JWKS cooldown `cooldownMs`, behind the proxy. */
  b: BffProcess;
  /** Process A's environment, to start another one like it. */
  bffEnv: Record<string, string>;
  /** alice's tokens, from one password grant before the scenarios. */
  user: Tokens;
  /** A grant straight at the demo realm's token endpoint. */
  grant(body: Record<string, string>): Promise<Tokens>;
  /** Admin REST API headers as the master realm's admin (one token, fetched on first use). */
  adminHeaders(): Promise<Record<string, string>>;
  carried: Carried;
}

/** One numbered scenario of docs/benchmarks.md; run.ts runs them in order. */
export interface BenchScenario {
  run(bench: BenchRun): Promise<ScenarioOutcome>;
}

/** A target row; the value is rounded to 3 decimals for the table and the JSON. */
export function target(
  scenario: string,
  figure: string,
  value: number,
  text: string,
  pass: boolean,
): Target {
  return { scenario, figure, value: Math.round(value * 1000) / 1000, target: text, pass };
}

/** Requests to the realm's token endpoint that went through the proxy so far (grants, refreshes). */
export const tokenPosts = (proxy: KeycloakProxy): number =>
  proxy.seen.filter((r) => r.method === 'POST' && r.path.endsWith('/protocol/openid-connect/token'))
    .length;

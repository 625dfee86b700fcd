import { type BenchRun, type BenchScenario, type ScenarioOutcome, target } from './scenario';

/**
 * 2. Keycloak calls per 10,000 guarded requests, counted at the proxy while scenario 1's load
 * ran on process B: it measures that load rather than running one of its own.
 */
export class KeycloakCallsScenario implements BenchScenario {
  run({ carried }: BenchRun): Promise<ScenarioOutcome> {
    const load = carried.guardLoadOnB;
    if (!load) {
      return Promise.reject(new Error('the Keycloak calls scenario runs after guard cost'));
    }
    const per10k = (load.keycloakCalls / load.guardedRequests) * 10_000;
    return Promise.resolve({
      results: {
        keycloakCalls: {
          guardedRequests: load.guardedRequests,
          keycloakCalls: load.keycloakCalls,
          per10k,
        },
      },
      targets: [
        target('2 Keycloak calls', 'calls per 10,000 guarded requests', per10k, '≤ 1', per10k <= 1),
      ],
    });
  }
}

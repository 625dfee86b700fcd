import { startProxy } from '../../scripts/support/keycloak-proxy';
import { startBff } from '../bff-process';
import { load, median } from '../measure';
import { type BenchRun, type BenchScenario, type ScenarioOutcome, target } from './scenario';

/**
 * 7. AUTH_INTROSPECTION=fallback with one lightweight access token (client `bff-light`): the
 * Keycloak calls per 10,000 guarded requests, counted at a proxy of its own, and the guarded
 * throughput with that token ÷ with a full JWT (the JWT path), both on the same process C,
 * interleaved rounds.
 */
export class IntrospectionScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    const { keycloak, bffEnv, user, rounds, seconds } = bench;
    bench.log('7. introspection (fallback, one lightweight token)');
    const proxy = await startProxy(keycloak.url);
    const c = await startBff({
      ...bffEnv,
      KEYCLOAK_URL: proxy.url,
      KEYCLOAK_PUBLIC_URL: keycloak.url,
      AUTH_INTROSPECTION: 'fallback',
    });
    try {
      const light = await bench.grant({
        grant_type: 'password',
        client_id: 'bff-light',
        client_secret: 'bff-light-secret',
        username: 'alice',
        password: 'alice-password',
        scope: 'openid',
      });
      const guarded = (token: string, options: { amount?: number } = {}) =>
        load({
          url: `${c.url}/bench/guarded`,
          headers: { authorization: `Bearer ${token}` },
          pid: c.pid,
          ...(options.amount ? { amount: options.amount } : { duration: seconds }),
        });
      // Exactly 10,000 requests with the new lightweight token, every call to Keycloak counted
      // (the first request's introspection among them); they also warm process C up, as do
      // 10,000 with the JWT.
      const callsBefore = proxy.seen.length;
      const counted = await guarded(light.access_token, { amount: 10_000 });
      const keycloakCalls = proxy.seen.length - callsBefore;
      await guarded(user.access_token, { amount: 10_000 });
      if (counted.non2xx || counted.requests !== 10_000) {
        throw new Error(
          `the counted load answered ${counted.non2xx} non-2xx of ${counted.requests} requests`,
        );
      }
      const per10k = (keycloakCalls / counted.requests) * 10_000;
      const ratios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // Alternate which token goes first, so drift within a round favours neither.
        const first =
          round % 2 ? await guarded(user.access_token) : await guarded(light.access_token);
        const second =
          round % 2 ? await guarded(light.access_token) : await guarded(user.access_token);
        const [lightweight, jwt] = round % 2 ? [second, first] : [first, second];
        if (lightweight.non2xx || jwt.non2xx) {
          throw new Error(
            `guarded route answered non-2xx: lightweight ${lightweight.non2xx}, JWT ${jwt.non2xx}`,
          );
        }
        ratios.push(lightweight.rps / jwt.rps);
      }
      return {
        results: {
          introspection: {
            mode: 'fallback',
            countedRequests: counted.requests,
            keycloakCalls,
            per10k,
            throughputOverJwtPath: median(ratios),
            rounds: ratios,
          },
        },
        targets: [
          target(
            '7 introspection',
            'Keycloak calls per 10,000 guarded requests (fallback, one lightweight token)',
            per10k,
            '≤ 1',
            per10k <= 1,
          ),
          target(
            '7 introspection',
            'guarded throughput, lightweight token ÷ JWT path',
            median(ratios),
            '≥ 0.90',
            median(ratios) >= 0.9,
          ),
        ],
      };
    } finally {
      await c.stop();
      await proxy.close();
    }
  }
}

import { load, median } from '../measure';
import {
  type BenchRun,
  type BenchScenario,
  type ScenarioOutcome,
  target,
  tokenPosts,
} from './scenario';

/**
 * 5. `POST /auth/refresh` through process A ÷ the same refresh grant straight to Keycloak,
 * interleaved rounds; and the Keycloak calls per refresh through B.
 */
export class TokenProxyScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    const { a, b, proxy, realmUrl, user, rounds, seconds } = bench;
    bench.log('5. refresh through the BFF vs direct');
    const refreshRatios: number[] = [];
    const refreshVia = (url: string, contentType: string, body: string) =>
      load({
        url,
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        duration: seconds,
        connections: 8,
      });
    const viaBffRefresh = () =>
      refreshVia(
        `${a.url}/auth/refresh`,
        'application/json',
        JSON.stringify({ refresh_token: user.refresh_token }),
      );
    const directRefresh = () =>
      refreshVia(
        `${realmUrl}/protocol/openid-connect/token`,
        'application/x-www-form-urlencoded',
        new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'bff',
          client_secret: 'bff-secret',
          refresh_token: user.refresh_token,
        }).toString(),
      );
    for (let round = 0; round < rounds; round++) {
      const first = round % 2 ? await directRefresh() : await viaBffRefresh();
      const second = round % 2 ? await viaBffRefresh() : await directRefresh();
      const [bff, direct] = round % 2 ? [second, first] : [first, second];
      if (bff.non2xx || direct.non2xx) {
        throw new Error(`refresh answered non-2xx: bff ${bff.non2xx}, direct ${direct.non2xx}`);
      }
      refreshRatios.push(bff.rps / direct.rps);
    }
    const refreshBefore = tokenPosts(proxy);
    const refreshes = 50;
    for (let i = 0; i < refreshes; i++) {
      await fetch(`${b.url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: user.refresh_token }),
      }).then((r) => r.arrayBuffer());
    }
    const callsPerRefresh = (tokenPosts(proxy) - refreshBefore) / refreshes;
    return {
      results: {
        refresh: {
          throughputRatio: median(refreshRatios),
          rounds: refreshRatios,
          keycloakCallsPerRefresh: callsPerRefresh,
        },
      },
      targets: [
        target(
          '5 token proxy',
          'refresh throughput via BFF ÷ direct',
          median(refreshRatios),
          '≥ 0.90',
          median(refreshRatios) >= 0.9,
        ),
      ],
    };
  }
}

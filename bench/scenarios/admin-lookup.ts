import { percentile, timed } from '../measure';
import {
  type BenchRun,
  type BenchScenario,
  type ScenarioOutcome,
  target,
  tokenPosts,
} from './scenario';

/**
 * 4. `GET /users/:id` through process A ÷ the same Admin API call made directly with a ready
 * token, interleaved; and how many client-credentials grants B makes per 1,000 lookups.
 */
export class AdminLookupScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    const { a, b, keycloak, proxy, user, quick } = bench;
    const kc = keycloak.url;
    const auth = { authorization: `Bearer ${user.access_token}` };
    bench.log('4. admin lookup overhead');
    const bobId =
      (
        (await (
          await fetch(`${kc}/admin/realms/demo/users?username=bob&exact=true`, {
            headers: await bench.adminHeaders(),
          })
        ).json()) as { id: string }[]
      )[0]?.id ?? '';
    const sa = await bench.grant({
      grant_type: 'client_credentials',
      client_id: 'bff',
      client_secret: 'bff-secret',
    });
    const viaBff: number[] = [];
    const direct: number[] = [];
    const lookups = quick ? 100 : 500;
    const bffLookup = () =>
      fetch(`${a.url}/users/${bobId}`, { headers: auth }).then((r) => r.arrayBuffer());
    const directLookup = () =>
      fetch(`${kc}/admin/realms/demo/users/${bobId}`, {
        headers: { authorization: `Bearer ${sa.access_token}` },
      }).then((r) => r.arrayBuffer());
    await bffLookup();
    await directLookup();
    for (let i = 0; i < lookups; i++) {
      viaBff.push(await timed(bffLookup));
      direct.push(await timed(directLookup));
    }
    // The first lookup fetches the admin token; steady state is what the target is about.
    await fetch(`${b.url}/users/${bobId}`, { headers: auth }).then((r) => r.arrayBuffer());
    const grantsBefore = tokenPosts(proxy);
    const counted = quick ? 200 : 1000;
    for (let i = 0; i < counted; i++) {
      await fetch(`${b.url}/users/${bobId}`, { headers: auth }).then((r) => r.arrayBuffer());
    }
    const grantsPer1000 = ((tokenPosts(proxy) - grantsBefore) / counted) * 1000;
    const p50 = percentile(viaBff, 50) / percentile(direct, 50);
    return {
      results: {
        adminLookup: {
          lookups,
          p50Micros: { bff: percentile(viaBff, 50), direct: percentile(direct, 50) },
          p95Micros: { bff: percentile(viaBff, 95), direct: percentile(direct, 95) },
          p50Ratio: p50,
          p95Ratio: percentile(viaBff, 95) / percentile(direct, 95),
          grantsPer1000,
        },
      },
      targets: [
        target('4 admin lookup', 'p50 via BFF ÷ direct', p50, '≤ 1.10', p50 <= 1.1),
        target(
          '4 admin lookup',
          'client-credentials grants per 1,000 lookups',
          grantsPer1000,
          '≤ 1',
          grantsPer1000 <= 1,
        ),
      ],
    };
  }
}

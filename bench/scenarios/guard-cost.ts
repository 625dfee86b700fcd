import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { load, median, rssMb } from '../measure';
import { type BenchRun, type BenchScenario, type ScenarioOutcome, target } from './scenario';

/**
 * 1. Guarded ÷ public throughput on process A (cache on), and process B's CPU cost of the guard
 * (cache off) ÷ one raw signature check. Also counts, for scenario 2, the Keycloak calls B made.
 */
export class GuardCostScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    const { a, b, proxy, user, rounds, seconds } = bench;
    bench.log('1. guard cost');
    const auth = { authorization: `Bearer ${user.access_token}` };
    const ratios: number[] = [];
    const cpu = { guardedB: [] as number[], publicB: [] as number[] };
    let guardedRequestsB = 0;
    const proxyBefore = proxy.seen.length;
    for (let round = 0; round < rounds; round++) {
      // Alternate which route goes first, so drift within a round favours neither.
      const order = round % 2 ? ['public', 'guarded'] : ['guarded', 'public'];
      const rps: Record<string, number> = {};
      for (const route of order) {
        rps[route] = (
          await load({
            url: `${a.url}/bench/${route}`,
            headers: auth,
            duration: seconds,
            pid: a.pid,
          })
        ).rps;
      }
      ratios.push((rps.guarded ?? 0) / (rps.public ?? 1));
      for (const route of order) {
        const r = await load({
          url: `${b.url}/bench/${route}`,
          headers: auth,
          duration: seconds,
          pid: b.pid,
        });
        cpu[route === 'guarded' ? 'guardedB' : 'publicB'].push(r.cpuMicrosPerRequest);
        if (route === 'guarded') {
          guardedRequestsB += r.requests;
          if (r.non2xx) {
            throw new Error(`guarded route answered ${r.non2xx} non-2xx`);
          }
        }
      }
    }
    const rawVerifyUs = await rawVerifyMicros(bench);
    const overheadUs = median(cpu.guardedB) - median(cpu.publicB);
    bench.carried.guardLoadOnB = {
      guardedRequests: guardedRequestsB,
      keycloakCalls: proxy.seen.length - proxyBefore,
    };
    bench.carried.rssMbAfterGuardLoad = rssMb(a.pid);
    return {
      results: {
        guardCost: {
          guardedOverPublicThroughput: median(ratios),
          rounds: ratios,
          cpuMicrosPerRequestNoCache: {
            guarded: median(cpu.guardedB),
            public: median(cpu.publicB),
          },
          guardOverheadMicros: overheadUs,
          rawVerifyMicros: rawVerifyUs,
          overheadOverRawVerify: overheadUs / rawVerifyUs,
        },
      },
      targets: [
        target(
          '1 guard cost',
          'guarded ÷ public throughput',
          median(ratios),
          '≥ 0.70',
          median(ratios) >= 0.7,
        ),
        target(
          '1 guard cost',
          'guard CPU overhead ÷ raw verify (no cache)',
          overheadUs / rawVerifyUs,
          '≤ 1.5',
          overheadUs / rawVerifyUs <= 1.5,
        ),
      ],
    };
  }
}

/** One `crypto.verify` of the user's token with its realm key, in this process: the floor. */
async function rawVerifyMicros({ realmUrl, user }: BenchRun): Promise<number> {
  const jwks = (await (await fetch(`${realmUrl}/protocol/openid-connect/certs`)).json()) as {
    keys: (JsonWebKey & { kid: string })[];
  };
  const [h, p, s] = user.access_token.split('.');
  const { kid } = JSON.parse(Buffer.from(h ?? '', 'base64url').toString()) as { kid: string };
  const key = createPublicKey({
    key: jwks.keys.find((k) => k.kid === kid) as JsonWebKey,
    format: 'jwk',
  });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s ?? '', 'base64url');
  const n = 2000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    verify('RSA-SHA256', data, key, sig);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / n;
}

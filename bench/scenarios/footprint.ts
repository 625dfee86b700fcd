import { startBff } from '../bff-process';
import { type BenchRun, type BenchScenario, type ScenarioOutcome, target } from './scenario';

/**
 * 6. Process A's RSS after start and after scenario 1's load, and how long a fresh BFF takes
 * from spawn to ready with Keycloak already up.
 */
export class FootprintScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    const { rssMbAfterStart, rssMbAfterGuardLoad } = bench.carried;
    if (rssMbAfterGuardLoad === undefined) {
      throw new Error('the footprint scenario runs after guard cost');
    }
    bench.log('6. footprint');
    const c = await startBff({ ...bench.bffEnv, KEYCLOAK_URL: bench.keycloak.url });
    await c.stop();
    return {
      results: {
        footprint: {
          rssMbAfterStart,
          rssMbAfterGuardLoad,
          startToReadyMs: c.startToReadyMs,
        },
      },
      targets: [
        target(
          '6 footprint',
          'RSS after load (MB)',
          rssMbAfterGuardLoad,
          '≤ 150',
          rssMbAfterGuardLoad <= 150,
        ),
      ],
    };
  }
}

import { startOtlpReceiver } from '../../test/utils/otlp-receiver';
import { type BffProcess, startBff } from '../bff-process';
import { load, median } from '../measure';
import { type BenchRun, type BenchScenario, type ScenarioOutcome, target } from './scenario';

type Variant = 'off' | 'metrics' | 'tracing';

/**
 * 9. What observability costs on the guarded route: a BFF with metrics on (METRICS_PORT set)
 * and one with tracing on at 10 % (parentbased_traceidratio 0.1, exporting to an in-bench
 * OTLP/HTTP receiver that answers 200 at once), each against one with both off, in interleaved
 * rounds. The three are fresh processes with the same configuration otherwise.
 */
export class ObservabilityScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    bench.log('9. observability');
    const receiver = await startOtlpReceiver(false);
    const env = { ...bench.bffEnv, KEYCLOAK_URL: bench.keycloak.url };
    const bffs: Partial<Record<Variant, BffProcess>> = {};
    try {
      bffs.off = await startBff(env);
      bffs.metrics = await startBff({ ...env, METRICS_PORT: '0' });
      bffs.tracing = await startBff({
        ...env,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      });
      const auth = { authorization: `Bearer ${bench.user.access_token}` };
      const variants: Variant[] = ['off', 'metrics', 'tracing'];
      const ratios = { metrics: [] as number[], tracing: [] as number[] };
      const cpu = { off: [] as number[], metrics: [] as number[], tracing: [] as number[] };
      // Warm-up: JIT, the verified-token cache and the exporter's connection.
      for (const variant of variants) {
        await load({ url: `${bffs[variant]?.url}/bench/guarded`, headers: auth, duration: 1 });
      }
      for (let round = 0; round < bench.rounds; round++) {
        // Rotate the order, so drift within a round favours none of the three.
        const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
        const rps: Partial<Record<Variant, number>> = {};
        for (const variant of order) {
          const bff = bffs[variant] as BffProcess;
          const r = await load({
            url: `${bff.url}/bench/guarded`,
            headers: auth,
            duration: bench.seconds,
            pid: bff.pid,
          });
          if (r.non2xx || r.errors) {
            throw new Error(`${variant}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          }
          rps[variant] = r.rps;
          cpu[variant].push(r.cpuMicrosPerRequest);
        }
        ratios.metrics.push((rps.metrics ?? 0) / (rps.off ?? 1));
        ratios.tracing.push((rps.tracing ?? 0) / (rps.off ?? 1));
      }
      if (receiver.posts === 0) {
        throw new Error('tracing on, but no span export reached the receiver');
      }
      const metricsRatio = median(ratios.metrics);
      const tracingRatio = median(ratios.tracing);
      return {
        results: {
          observability: {
            metricsOverOffThroughput: metricsRatio,
            tracingOverOffThroughput: tracingRatio,
            rounds: ratios,
            cpuMicrosPerRequest: {
              off: median(cpu.off),
              metrics: median(cpu.metrics),
              tracing: median(cpu.tracing),
            },
            exportRequests: receiver.posts,
          },
        },
        targets: [
          target(
            '9 observability',
            'metrics on ÷ off throughput',
            metricsRatio,
            '≥ 0.95',
            metricsRatio >= 0.95,
          ),
          target(
            '9 observability',
            'tracing on (10 %) ÷ off throughput',
            tracingRatio,
            '≥ 0.85',
            tracingRatio >= 0.85,
          ),
        ],
      };
    } finally {
      for (const bff of Object.values(bffs)) {
        await bff.stop();
      }
      await receiver.close();
    }
  }
}

import { registerAs } from '@nestjs/config';
import { IsString, Matches } from 'class-validator';
import { EnvExample, validateEnv } from './env-validation';

const PORT_OR_OFF =
  /^(off|0|[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;

/** The documented default of METRICS_PORT (OpenTelemetry's Prometheus exporter uses it too). */
export const DEFAULT_METRICS_PORT = 9464;

export class MetricsEnv {
  // Loopback by default: the scrape output names routes and error rates, not for the internet.
  @EnvExample('127.0.0.1')
  @IsString()
  METRICS_HOST = '127.0.0.1';

  // `off` disables metrics altogether (no listener, nothing recorded); 0 picks a free port.
  @EnvExample('9464')
  @Matches(PORT_OR_OFF, { message: 'must be a port number (0-65535) or off' })
  METRICS_PORT = String(DEFAULT_METRICS_PORT);
}

export const metricsConfig = registerAs('metrics', () => {
  const env = validateEnv(MetricsEnv, process.env);
  const port = env.METRICS_PORT === 'off' ? undefined : Number(env.METRICS_PORT);
  return {
    /** False with METRICS_PORT=off: nothing is recorded and no listener starts. */
    enabled: port !== undefined,
    host: env.METRICS_HOST,
    /** 0: the system picks a free port (tests). */
    port: port ?? 0,
  };
});

export type MetricsConfig = ReturnType<typeof metricsConfig>;

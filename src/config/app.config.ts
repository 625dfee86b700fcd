import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { EnvExample, splitList, toBool, toInt, validateEnv } from './env-validation';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// An origin is scheme://host[:port] with no path: CORS compares origins exactly.
const ORIGIN_LIST = /^\s*https?:\/\/[^/\s,]+(\s*,\s*https?:\/\/[^/\s,]+)*\s*$/;

export class AppEnv {
  @EnvExample('3000')
  @Transform(toInt)
  @IsInt({ message: 'must be a port number' })
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @EnvExample('0.0.0.0')
  @IsString()
  HOST = '0.0.0.0';

  @EnvExample('http://localhost:5173,https://app.example.com')
  @IsOptional()
  @Matches(ORIGIN_LIST, {
    message: 'must be a comma-separated list of origins (scheme://host[:port])',
  })
  CORS_ORIGINS?: string;

  @EnvExample('info')
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @EnvExample('65536')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of bytes' })
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 64 * 1024;

  @EnvExample('false')
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  TRUST_PROXY = false;

  @EnvExample('true')
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  DOCS_ENABLED = true;

  @EnvExample('false')
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  BENCH_ROUTES = false;

  @EnvExample('10000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(0)
  @Max(300_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;
}

export const appConfig = registerAs('app', () => {
  const env = validateEnv(AppEnv, process.env);
  return {
    port: env.PORT,
    host: env.HOST,
    corsOrigins: splitList(env.CORS_ORIGINS),
    logLevel: env.LOG_LEVEL,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY,
    docsEnabled: env.DOCS_ENABLED,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  };
});

export type AppConfig = ReturnType<typeof appConfig>;

import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { EnvExample, toInt, validateEnv } from './env-validation';

export class RedisEnv {
  // One connection, shared by the login rate limiter and the session store (src/redis/).
  @EnvExample('redis://127.0.0.1:6379')
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  // The longest any request waits on one Redis command, whether Redis is gone or frozen.
  @EnvExample('500')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(10)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 500;

  // How long one (re)connection attempt may take; requests never wait for it.
  @EnvExample('2000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(100)
  @Max(60_000)
  REDIS_CONNECT_TIMEOUT_MS = 2_000;

  @EnvExample('3')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of failed commands' })
  @Min(1)
  @Max(1_000)
  REDIS_BREAKER_FAILURES = 3;

  @EnvExample('5000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(100)
  @Max(300_000)
  REDIS_BREAKER_COOLDOWN_MS = 5_000;
}

export const redisConfig = registerAs('redis', () => {
  const env = validateEnv(RedisEnv, process.env);
  return {
    /** Unset: rate limits and sessions live in this process's memory. */
    url: env.REDIS_URL,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
    /**
     * The circuit breaker in front of every command: after `failures` failures in a row, commands
     * fail at once for `cooldownMs`; then one command probes whether Redis answers again.
     */
    breaker: {
      failures: env.REDIS_BREAKER_FAILURES,
      cooldownMs: env.REDIS_BREAKER_COOLDOWN_MS,
    },
  };
});

export type RedisConfig = ReturnType<typeof redisConfig>;

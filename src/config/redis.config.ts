import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { EnvExample, validateEnv } from './env-validation';

export class RedisEnv {
  // One connection, shared by the login rate limiter and the session store (src/redis/).
  @EnvExample('redis://127.0.0.1:6379')
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;
}

export const redisConfig = registerAs('redis', () => {
  const env = validateEnv(RedisEnv, process.env);
  return {
    /** Unset: rate limits and sessions live in this process's memory. */
    url: env.REDIS_URL,
  };
});

export type RedisConfig = ReturnType<typeof redisConfig>;

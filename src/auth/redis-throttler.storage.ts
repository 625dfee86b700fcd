import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { RedisCommands } from '../redis/redis-connection';

// Atomic hit-count-and-block, so several BFF instances share one budget per key.
const INCREMENT = `
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or ARGV[2]), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockTtl}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

export interface RedisThrottlerOptions {
  prefix?: string;
  /** Told of each login let through unlimited because Redis failed: where a metric will count. */
  onFailOpen?: (err: unknown) => void;
}

/**
 * Throttler storage in Redis (REDIS_URL's shared connection). If Redis fails, logins are let
 * through and a warning is logged: an outage of the limiter must not lock every user out. The
 * connection's command timeout and circuit breaker bound how long a login waits for that.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly prefix: string;
  private readonly onFailOpen: (err: unknown) => void;

  constructor(
    private readonly redis: RedisCommands,
    { prefix = 'keycloak-bff:throttle:', onFailOpen = () => undefined }: RedisThrottlerOptions = {},
  ) {
    this.prefix = prefix;
    this.onFailOpen = onFailOpen;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}${name}:${key}`;
    try {
      const [totalHits, ttlMs, blocked, blockMs] = (await this.redis.run((redis) =>
        redis.eval(
          INCREMENT,
          2,
          base,
          `${base}:blocked`,
          String(ttl),
          String(limit),
          String(blockDuration),
        ),
      )) as [number, number, number, number];
      return {
        totalHits,
        timeToExpire: Math.ceil(ttlMs / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(blockMs / 1000),
      };
    } catch (err: unknown) {
      this.logger.warn({ msg: 'Login rate limit skipped: Redis unavailable', err });
      this.onFailOpen(err);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import type { SessionStore } from './session-store';

// Delete the lock only if we still own it: after a lease expired, it may be someone else's.
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// Extend, never shorten, the index's expiry: it must outlive every session it lists.
const ADD_TO_INDEX = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * Sessions in Redis (REDIS_URL), shared by every BFF instance. Unlike the login limiter, a Redis
 * failure is not skipped: without the store no session can be trusted, so callers get the error.
 */
export class RedisSessionStore implements SessionStore {
  private readonly logger = new Logger(RedisSessionStore.name);
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    this.redis.on('error', (err: Error) =>
      this.logger.warn({ msg: 'Redis error (session store)', err }),
    );
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.redis.getdel(this.prefix + key)) ?? undefined;
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async addToIndex(index: string, member: string, ttlMs: number): Promise<void> {
    await this.redis.eval(ADD_TO_INDEX, 1, this.prefix + index, member, String(Math.ceil(ttlMs)));
  }

  async takeIndex(index: string): Promise<string[]> {
    const [[, members]] = (await this.redis
      .multi()
      .smembers(this.prefix + index)
      .del(this.prefix + index)
      .exec()) as [[Error | null, string[]], [Error | null, number]];
    return members;
  }

  async tryLock(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, owner, 'PX', leaseMs, 'NX')) === 'OK';
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.redis.eval(UNLOCK, 1, this.prefix + key, owner);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

import type Redis from 'ioredis';
import { CircuitOpenError } from '../../redis/circuit-breaker';
import type { RedisCommands } from '../../redis/redis-connection';
import { SessionError } from '../session.errors';
import type { SessionStore } from './session-store';

// Delete only while the key still holds our value: an expired lock may be someone else's now.
const DELETE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// Store the session only while we hold the refresh lock, and only if it was not destroyed.
const REPLACE_WHILE_LOCKED = `
if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'XX') then return 1 end
return 0`;
// Extend, never shorten, the index's expiry: it must outlive every session it lists.
const ADD_TO_INDEX = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

// Store a value and record it in its group; forget members already gone, then delete the
// oldest while the group is over its cap. The group expires with its newest member.
const SET_IN_GROUP = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for _, member in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', member) == 0 then redis.call('LREM', KEYS[2], 0, member) end
end
local size = redis.call('RPUSH', KEYS[2], KEYS[1])
while size > tonumber(ARGV[3]) do
  redis.call('DEL', redis.call('LPOP', KEYS[2]))
  size = size - 1
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return size`;

/**
 * Sessions in Redis (REDIS_URL's shared connection), shared by every BFF instance. Unlike the
 * login limiter, a Redis failure is not skipped: without the store no session can be trusted,
 * so callers get 503 SESSION_STORE_UNAVAILABLE, within the connection's command timeout, or at
 * once while its circuit is open.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisCommands,
    private readonly prefix: string,
  ) {}

  get(key: string): Promise<string | undefined> {
    return this.call('get', async (redis) => (await redis.get(this.prefix + key)) ?? undefined);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.call('set', async (redis) => {
      await redis.set(this.prefix + key, value, 'PX', pxOf(ttlMs));
    });
  }

  setInGroup(
    key: string,
    value: string,
    ttlMs: number,
    group: string,
    maxPerGroup: number,
  ): Promise<void> {
    return this.call('setInGroup', async (redis) => {
      await redis.eval(
        SET_IN_GROUP,
        2,
        this.prefix + key,
        this.prefix + group,
        value,
        String(pxOf(ttlMs)),
        String(maxPerGroup),
      );
    });
  }

  replace(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.call(
      'replace',
      async (redis) =>
        (await redis.set(this.prefix + key, value, 'PX', pxOf(ttlMs), 'XX')) === 'OK',
    );
  }

  replaceWhileLocked(
    key: string,
    value: string,
    ttlMs: number,
    lockKey: string,
    owner: string,
  ): Promise<boolean> {
    return this.call('replaceWhileLocked', async (redis) => {
      const saved = await redis.eval(
        REPLACE_WHILE_LOCKED,
        2,
        this.prefix + key,
        this.prefix + lockKey,
        value,
        String(pxOf(ttlMs)),
        owner,
      );
      return saved === 1;
    });
  }

  take(key: string): Promise<string | undefined> {
    return this.call('take', async (redis) => (await redis.getdel(this.prefix + key)) ?? undefined);
  }

  delete(key: string): Promise<void> {
    return this.call('delete', async (redis) => {
      await redis.del(this.prefix + key);
    });
  }

  addToIndex(index: string, member: string, ttlMs: number): Promise<void> {
    return this.call('addToIndex', async (redis) => {
      await redis.eval(ADD_TO_INDEX, 1, this.prefix + index, member, String(Math.ceil(ttlMs)));
    });
  }

  takeIndex(index: string): Promise<string[]> {
    return this.call('takeIndex', async (redis) => {
      const [[, members]] = (await redis
        .multi()
        .smembers(this.prefix + index)
        .del(this.prefix + index)
        .exec()) as [[Error | null, string[]], [Error | null, number]];
      return members;
    });
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.call(
      'setIfAbsent',
      async (redis) =>
        (await redis.set(this.prefix + key, value, 'PX', pxOf(ttlMs), 'NX')) === 'OK',
    );
  }

  deleteIfEquals(key: string, value: string): Promise<void> {
    return this.call('deleteIfEquals', async (redis) => {
      await redis.eval(DELETE_IF_EQUALS, 1, this.prefix + key, value);
    });
  }

  private async call<T>(operation: string, commands: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await this.redis.run(commands);
    } catch (err: unknown) {
      const open = err instanceof CircuitOpenError;
      throw new SessionError(
        'SESSION_STORE_UNAVAILABLE',
        `The session store (Redis) failed: ${operation}${open ? ' (not asked: it failed repeatedly just before)' : ''}`,
        {
          hint: 'Check that Redis at REDIS_URL is reachable.',
          cause: err,
          headers: open
            ? { 'retry-after': String(Math.max(1, Math.ceil(err.retryInMs / 1000))) }
            : undefined,
        },
      );
    }
  }

  close(): Promise<void> {
    // The connection is RedisConnection's, shared with the login limiter; it closes it.
    return Promise.resolve();
  }
}

/** A PX argument: a positive whole number of milliseconds. */
function pxOf(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis } from 'ioredis';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { redisConfig } from '../../config/redis.config';
import { sessionConfig } from '../../config/session.config';
import { SessionCipher } from '../../session/session-cipher';
import { LOGIN_TRANSACTION_PREFIX } from '../../session/store/session-store';
import { describeRedisUrl } from '../../redis/redis-connection';
import { describeError } from '../doctor-errors';
import type { CheckOutcome, DoctorCheck } from './doctor-check';

/** Opens a connection to REDIS_URL; a token so that tests can hand in a fake. */
export const REDIS_CONNECT = Symbol('REDIS_CONNECT');
export type RedisConnect = (
  url: string,
) => Pick<Redis, 'ping' | 'scan' | 'get' | 'quit' | 'disconnect'>;

/** One attempt, no reconnecting: doctor reports an unreachable Redis instead of waiting for it. */
export const connectRedis: RedisConnect = (url) => {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The failed command reports the error; without a listener ioredis would print it as well.
  redis.on('error', () => undefined);
  return redis;
};

/**
 * The sealed entries under the prefix, and the store key each is bound to: session records
 * (`s:`) and login transactions (see storeKeys in session-ids.ts; SessionSealer seals each value
 * with its store key as additional data). Indexes, locks and timestamps are not sealed.
 */
const SEALED = ['s:', LOGIN_TRANSACTION_PREFIX];

/** Enough entries to tell a shared prefix, without walking a large store. */
const SAMPLE = 200;

/**
 * Redis (REDIS_URL) answers, and in the session mode the session key prefix holds only entries
 * this deployment can open. Entries sealed with another key mean another deployment shares
 * SESSION_REDIS_PREFIX: the sid/sub indexes are shared too, so a back-channel logout there
 * ends sessions here, and the reverse.
 */
@Injectable()
export class SessionStoreCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.sessionStore;

  constructor(
    @Inject(REDIS_CONNECT) private readonly connect: RedisConnect,
    @Inject(redisConfig.KEY) private readonly redis: Pick<ConfigType<typeof redisConfig>, 'url'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<
      ConfigType<typeof sessionConfig>,
      'enabled' | 'encryptionKeys' | 'redisPrefix'
    >,
  ) {}

  async run(): Promise<CheckOutcome> {
    const url = this.redis.url;
    if (!url) {
      return { status: 'SKIP', found: 'REDIS_URL is not set' };
    }
    const redis = this.connect(url);
    try {
      await redis.ping();
    } catch (err: unknown) {
      redis.disconnect();
      return {
        status: 'FAIL',
        found: `Redis at ${describeRedisUrl(url)} does not answer: ${describeError(err)}`,
        fix: 'Check REDIS_URL and that Redis is reachable from this host.',
        code: 'SESSION_STORE_UNAVAILABLE',
      };
    }
    try {
      if (!this.session.enabled || this.session.encryptionKeys.length === 0) {
        return { status: 'PASS', found: `Redis at ${describeRedisUrl(url)} answers` };
      }
      return await this.prefix(redis);
    } catch (err: unknown) {
      return { status: 'FAIL', found: `Reading Redis failed: ${describeError(err)}` };
    } finally {
      await redis.quit().catch(() => redis.disconnect());
    }
  }

  private async prefix(redis: ReturnType<RedisConnect>): Promise<CheckOutcome> {
    const prefix = this.session.redisPrefix;
    const cipher = new SessionCipher(this.session.encryptionKeys);
    let seen = 0;
    let foreign = 0;
    for (const family of SEALED) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}${family}*`, 'COUNT', 100);
        cursor = next;
        for (const key of keys.slice(0, SAMPLE - seen)) {
          const value = await redis.get(key);
          if (value === null) {
            continue;
          }
          seen++;
          if (cipher.decrypt(value, key.slice(prefix.length)) === undefined) {
            foreign++;
          }
        }
      } while (cursor !== '0' && seen < SAMPLE);
    }
    const found = `Redis answers; ${seen} sealed entr${seen === 1 ? 'y' : 'ies'} under SESSION_REDIS_PREFIX '${prefix}'`;
    if (foreign === 0) {
      return { status: 'PASS', found: `${found}, all opened with SESSION_ENCRYPTION_KEY` };
    }
    return {
      status: 'FAIL',
      found: `${found}, ${foreign} sealed with another key: another deployment shares the prefix (or the key changed without the old,new rotation)`,
      fix: "Give each deployment its own SESSION_REDIS_PREFIX; after a key change, keep the old key listed (SESSION_ENCRYPTION_KEY=new,old) until the old sessions' absolute timeout has passed.",
    };
  }
}

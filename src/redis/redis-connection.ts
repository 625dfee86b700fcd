import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { redisConfig } from '../config/redis.config';

/** How long the start-up PING may take before the BFF says Redis is not answering. */
export const START_PING_TIMEOUT_MS = 2_000;

/** A Redis URL fit for logs: the password, if any, replaced. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/** Answers PING within `timeoutMs`, or rejects with why not. */
export async function ping(client: { ping(): Promise<unknown> }, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The one Redis connection (REDIS_URL) of the process: the login rate limiter and the session
 * store share it, and it is closed once, at shutdown. None without REDIS_URL.
 *
 * Checked with a PING at start. A Redis that does not answer is reported (warning, naming it)
 * but does not stop the BFF, as a Keycloak that is down does not: ioredis keeps reconnecting,
 * and meanwhile each user behaves as it always has: the login limiter lets logins through, the
 * session store answers 503 SESSION_STORE_UNAVAILABLE.
 */
@Injectable()
export class RedisConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client?: Redis;
  private readonly where: string;
  private lastError?: Error;

  constructor(@Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>) {
    this.where = config.url ? describeRedisUrl(config.url) : '';
    if (config.url) {
      this.client = new Redis(config.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      this.client.on('error', (err: Error) => {
        this.lastError = err;
        this.logger.warn({ msg: 'Redis error', redis: this.where, err });
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.client) {
      return;
    }
    try {
      await ping(this.client, START_PING_TIMEOUT_MS);
      this.logger.log({ msg: 'Redis answered PING', redis: this.where });
    } catch (err: unknown) {
      // ioredis's own rejection only says it gave up; the connection error says why.
      const why = this.lastError?.message ?? (err instanceof Error ? err.message : String(err));
      this.logger.warn({
        msg: `Redis at ${this.where} (REDIS_URL) is not answering at start: ${why}; until it does, login rate limits are skipped and session requests answer 503 SESSION_STORE_UNAVAILABLE`,
        redis: this.where,
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    // QUIT needs a live connection; without one, stop the reconnect loop instead.
    if (client?.status === 'ready') {
      await client.quit().catch(() => client.disconnect());
    } else {
      client?.disconnect();
    }
  }
}

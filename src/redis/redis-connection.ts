import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { Clock } from '../common/clock/clock';
import { redisConfig } from '../config/redis.config';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';

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

/** Redis answered, with an error of its own (a script error, WRONGTYPE): it is up. */
export function isRedisReply(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

/** What the stores need of the connection: a way to run commands on it. */
export type RedisCommands = Pick<RedisConnection, 'run'>;

/**
 * The one Redis connection (REDIS_URL) of the process: the login rate limiter and the session
 * store share it, and it is closed once, at shutdown. None without REDIS_URL.
 *
 * No request waits long on Redis: every command gives up after REDIS_COMMAND_TIMEOUT_MS, on a
 * connection that is gone as on one that is frozen (a stopped process or a blackholed host keep
 * the TCP connection open and answer nothing); without a connection a command fails at once
 * instead of queueing for the next one; and the commands go through a circuit breaker
 * (REDIS_BREAKER_*), so that once Redis has failed a few times in a row, commands fail without
 * being sent until a probe finds it answering again. Callers decide what a failure means: the
 * login limiter lets logins through, the session store answers 503 SESSION_STORE_UNAVAILABLE.
 *
 * Checked with a PING at start. A Redis that does not answer is reported (warning, naming it)
 * but does not stop the BFF, as a Keycloak that is down does not: ioredis keeps reconnecting.
 */
@Injectable()
export class RedisConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client?: Redis;
  private readonly breaker: CircuitBreaker;
  private readonly where: string;
  private lastError?: Error;

  constructor(@Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>, clock: Clock) {
    this.where = config.url ? describeRedisUrl(config.url) : '';
    this.breaker = new CircuitBreaker(
      `Redis at ${this.where}`,
      config.breaker,
      clock,
      (err) => !isRedisReply(err),
    );
    this.breaker.onStateChange((state, cause) => this.circuitChanged(state, cause));
    if (config.url) {
      this.client = new Redis(config.url, {
        lazyConnect: true,
        commandTimeout: config.commandTimeoutMs,
        connectTimeout: config.connectTimeoutMs,
        // Not connected: fail now. A queued command would wait for a reconnect that may not come.
        enableOfflineQueue: false,
        // A command whose connection dropped fails rather than being sent again on the next one.
        maxRetriesPerRequest: 0,
      });
      this.client.on('error', (err: Error) => {
        this.lastError = err;
        this.logger.warn({ msg: 'Redis error', redis: this.where, err });
      });
    }
  }

  /**
   * Runs `commands` on the connection, through the circuit breaker: rejects with the command's
   * error, or at once with CircuitOpenError while Redis is known to be failing.
   */
  run<T>(commands: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client) {
      return Promise.reject(new Error('REDIS_URL is not set'));
    }
    return this.breaker.run(() => commands(client));
  }

  /** Where a metric of the circuit's state will be recorded (observability); a log line now. */
  private circuitChanged(state: CircuitState, cause: unknown): void {
    if (state === 'open') {
      this.logger.warn({
        msg: `Redis at ${this.where} failed repeatedly: commands fail at once until a probe finds it answering (login rate limits skipped, session requests 503)`,
        redis: this.where,
        err: cause,
      });
    } else if (state === 'closed') {
      this.logger.log({ msg: `Redis at ${this.where} answers again`, redis: this.where });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const client = this.client;
    if (!client) {
      return;
    }
    try {
      // Without the offline queue a command sent before the connection is up fails: connect first.
      await ping({ ping: () => client.connect().then(() => client.ping()) }, START_PING_TIMEOUT_MS);
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

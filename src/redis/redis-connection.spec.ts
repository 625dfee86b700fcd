import { ManualClock } from '../../test/utils/manual-clock';
import { SystemClock } from '../common/clock/clock';
import type { RedisConfig } from '../config/redis.config';
import { CircuitOpenError } from './circuit-breaker';
import { describeRedisUrl, ping, RedisConnection } from './redis-connection';

describe(describeRedisUrl.name, () => {
  it('should hide the password and keep what names the server', () => {
    expect(describeRedisUrl('redis://:s3cret@redis.internal:6380/2')).toBe(
      'redis://:***@redis.internal:6380/2',
    );
    expect(describeRedisUrl('rediss://user:s3cret@redis.internal')).toBe(
      'rediss://user:***@redis.internal',
    );
    expect(describeRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe(ping.name, () => {
  it('should resolve when Redis answers PONG', async () => {
    await expect(ping({ ping: () => Promise.resolve('PONG') }, 100)).resolves.toBeUndefined();
  });

  it('should pass on why Redis refused', async () => {
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:6390');
    await expect(ping({ ping: () => Promise.reject(refused) }, 100)).rejects.toBe(refused);
  });

  it('should give up on a Redis that does not answer in time', async () => {
    const silent = { ping: () => new Promise<'PONG'>(() => undefined) };
    await expect(ping(silent, 20)).rejects.toThrow('no answer within 20 ms');
  });
});

const CONFIG: RedisConfig = {
  url: 'redis://127.0.0.1:1',
  commandTimeoutMs: 500,
  connectTimeoutMs: 2_000,
  breaker: { failures: 3, cooldownMs: 5_000 },
};

describe(RedisConnection.name, () => {
  it('should open no connection without REDIS_URL, and have nothing to check or close', async () => {
    const sut = new RedisConnection({ ...CONFIG, url: undefined }, new SystemClock());
    expect(sut.client).toBeUndefined();
    await expect(sut.run((redis) => redis.get('k'))).rejects.toThrow('REDIS_URL is not set');
    await expect(sut.onApplicationBootstrap()).resolves.toBeUndefined();
    await expect(sut.onApplicationShutdown()).resolves.toBeUndefined();
  });

  it('should open one lazy connection for REDIS_URL, not connecting before it is used', async () => {
    const sut = new RedisConnection(CONFIG, new SystemClock());
    expect(sut.client?.status).toBe('wait');
    await sut.onApplicationShutdown();
    expect(sut.client?.status).toBe('end');
  });

  it('should bound every command: a timeout, no queueing while disconnected, no resending', async () => {
    const sut = new RedisConnection(CONFIG, new SystemClock());

    expect(sut.client?.options).toMatchObject({
      commandTimeout: 500,
      connectTimeout: 2_000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    await sut.onApplicationShutdown();
  });

  it('should stop sending commands once they failed REDIS_BREAKER_FAILURES times, until the cool-down', async () => {
    const clock = new ManualClock(0);
    const sut = new RedisConnection(CONFIG, clock);
    const timedOut = () => Promise.reject(new Error('Command timed out'));
    for (let i = 0; i < 3; i++) {
      await expect(sut.run(timedOut)).rejects.toThrow('Command timed out');
    }
    const commands = jest.fn(() => Promise.resolve('PONG'));

    await expect(sut.run(commands)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(5_000);
    await expect(sut.run(commands)).resolves.toBe('PONG');
    expect(commands).toHaveBeenCalledTimes(1);
    await sut.onApplicationShutdown();
  });

  it("should not count Redis's own error replies as Redis failing", async () => {
    const sut = new RedisConnection(CONFIG, new ManualClock(0));
    const reply = Object.assign(new Error('WRONGTYPE wrong kind of value'), { name: 'ReplyError' });
    for (let i = 0; i < 5; i++) {
      await expect(sut.run(() => Promise.reject(reply))).rejects.toBe(reply);
    }

    await expect(sut.run(() => Promise.resolve('PONG'))).resolves.toBe('PONG');
    await sut.onApplicationShutdown();
  });
});

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

describe(RedisConnection.name, () => {
  it('should open no connection without REDIS_URL, and have nothing to check or close', async () => {
    const sut = new RedisConnection({ url: undefined });
    expect(sut.client).toBeUndefined();
    await expect(sut.onApplicationBootstrap()).resolves.toBeUndefined();
    await expect(sut.onApplicationShutdown()).resolves.toBeUndefined();
  });

  it('should open one lazy connection for REDIS_URL, not connecting before it is used', async () => {
    const sut = new RedisConnection({ url: 'redis://127.0.0.1:1' });
    expect(sut.client?.status).toBe('wait');
    await sut.onApplicationShutdown();
    expect(sut.client?.status).toBe('end');
  });
});

import Redis from 'ioredis';
import { automock } from '../../../test/utils/automock';
import { RedisSessionStore } from './redis-session.store';

describe(RedisSessionStore.name, () => {
  it('should answer a failing Redis with 503 SESSION_STORE_UNAVAILABLE, not a bare error', async () => {
    const redis = automock(Redis, {
      get: jest.fn().mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    });
    const sut = new RedisSessionStore(redis, 'test:');

    await expect(sut.get('s:x')).rejects.toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
      status: 503,
      detail: 'The session store (Redis) failed: get',
    });
    expect(redis.get).toHaveBeenCalledWith('test:s:x');
  });

  it('should send Redis a whole number of milliseconds for a fractional lease', async () => {
    const redis = automock(Redis, { set: jest.fn().mockResolvedValue('OK') });
    const sut = new RedisSessionStore(redis, 'test:');

    await expect(sut.setIfAbsent('jti:x', '1', 299_999.5)).resolves.toBe(true);
    expect(redis.set).toHaveBeenCalledWith('test:jti:x', '1', 'PX', 300_000, 'NX');
  });
});

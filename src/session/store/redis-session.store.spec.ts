import Redis from 'ioredis';
import { automock } from '../../../test/utils/automock';
import { CircuitOpenError } from '../../redis/circuit-breaker';
import type { RedisCommands } from '../../redis/redis-connection';
import { RedisSessionStore } from './redis-session.store';

/** The connection as the store sees it: commands run on `redis`, or refused as `run` says. */
const over = (redis: Redis): RedisCommands => ({ run: (commands) => commands(redis) });

describe(RedisSessionStore.name, () => {
  it('should answer a failing Redis with 503 SESSION_STORE_UNAVAILABLE, not a bare error', async () => {
    const redis = automock(Redis, {
      get: jest.fn().mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    });
    const sut = new RedisSessionStore(over(redis), 'test:');

    await expect(sut.get('s:x')).rejects.toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
      status: 503,
      detail: 'The session store (Redis) failed: get',
      headers: {},
    });
    expect(redis.get).toHaveBeenCalledWith('test:s:x');
  });

  it('should say when Redis was not asked because its circuit is open, and when to retry', async () => {
    const sut = new RedisSessionStore(
      { run: () => Promise.reject(new CircuitOpenError('Redis', 1_200)) },
      'test:',
    );

    await expect(sut.setIfAbsent('lock:x', 'me', 1_000)).rejects.toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
      status: 503,
      detail:
        'The session store (Redis) failed: setIfAbsent (not asked: it failed repeatedly just before)',
      headers: { 'retry-after': '2' },
    });
  });

  it('should send Redis a whole number of milliseconds for a fractional lease', async () => {
    const redis = automock(Redis, { set: jest.fn().mockResolvedValue('OK') });
    const sut = new RedisSessionStore(over(redis), 'test:');

    await expect(sut.setIfAbsent('jti:x', '1', 299_999.5)).resolves.toBe(true);
    expect(redis.set).toHaveBeenCalledWith('test:jti:x', '1', 'PX', 300_000, 'NX');
  });
});

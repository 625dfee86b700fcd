import Redis from 'ioredis';
import { automock } from '../../test/utils/automock';
import { CircuitOpenError } from '../redis/circuit-breaker';
import { RedisThrottlerStorage } from './redis-throttler.storage';

describe(RedisThrottlerStorage.name, () => {
  it("should count hits in Redis under the throttler's name and the tracker", async () => {
    const redis = automock(Redis, { eval: jest.fn().mockResolvedValue([2, 59_500, 0, 0]) });
    const sut = new RedisThrottlerStorage({ run: (commands) => commands(redis) }, { prefix: 't:' });

    await expect(sut.increment('ip:192.0.2.1', 60_000, 5, 60_000, 'login-ip')).resolves.toEqual({
      totalHits: 2,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(redis.eval).toHaveBeenCalledWith(
      expect.any(String),
      2,
      't:login-ip:ip:192.0.2.1',
      't:login-ip:ip:192.0.2.1:blocked',
      '60000',
      '5',
      '60000',
    );
  });

  it('should let the login through, unblocked, and say so when Redis fails', async () => {
    const down = new CircuitOpenError('Redis', 1_000);
    const onFailOpen = jest.fn();
    const sut = new RedisThrottlerStorage({ run: () => Promise.reject(down) }, { onFailOpen });

    await expect(sut.increment('ip:192.0.2.1', 60_000, 5, 60_000, 'login-ip')).resolves.toEqual({
      totalHits: 0,
      timeToExpire: 0,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(onFailOpen).toHaveBeenCalledWith(down);
  });
});

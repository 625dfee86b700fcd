import { ManualClock } from '../../test/utils/manual-clock';
import { type CachedToken, expiryOf, TokenCache } from './token-cache';

function setup(maxEntries = 10) {
  const clock = new ManualClock(0);
  let issued = 0;
  const grant = jest.fn((): Promise<CachedToken> =>
    Promise.resolve({ token: `token-${++issued}`, expiresAt: clock.now() + 60_000 }),
  );
  return { sut: new TokenCache(maxEntries, clock), clock, grant };
}

describe(TokenCache.name, () => {
  it('should share one grant between concurrent first requests for a key', async () => {
    const { sut, grant } = setup();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => sut.get('k', grant)));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(grant).toHaveBeenCalledTimes(1);
  });

  it('should reuse the token until its expiry, then grant again', async () => {
    const { sut, clock, grant } = setup();
    await sut.get('k', grant);
    clock.advance(59_999);
    expect(await sut.get('k', grant)).toBe('token-1');
    clock.advance(1);
    expect(await sut.get('k', grant)).toBe('token-2');
    expect(grant).toHaveBeenCalledTimes(2);
  });

  it('should share a failed grant with its waiters and cache nothing', async () => {
    const { sut, grant } = setup();
    grant.mockRejectedValueOnce(new Error('refused'));
    const results = await Promise.allSettled([sut.get('k', grant), sut.get('k', grant)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(grant).toHaveBeenCalledTimes(1);
    expect(await sut.get('k', grant)).toBe('token-1');
  });

  it('should evict the oldest entry when full', async () => {
    const { sut, grant } = setup(2);
    await sut.get('a', grant);
    await sut.get('b', grant);
    await sut.get('c', grant);
    expect(sut.size).toBe(2);
    expect(await sut.get('a', grant)).toBe('token-4');
    expect(await sut.get('c', grant)).toBe('token-3');
  });

  it('should forget a token only while it is still the cached one', async () => {
    const { sut, grant } = setup();
    await sut.get('k', grant);
    sut.forget('k', 'some-other-token');
    expect(await sut.get('k', grant)).toBe('token-1');
    sut.forget('k', 'token-1');
    expect(await sut.get('k', grant)).toBe('token-2');
  });

  it('should keep nothing with a size of 0, yet still answer', async () => {
    const { sut, grant } = setup(0);
    expect(await sut.get('k', grant)).toBe('token-1');
    expect(await sut.get('k', grant)).toBe('token-2');
    expect(sut.size).toBe(0);
  });
});

describe(expiryOf.name, () => {
  it('should stop a quarter of the life early, at most 30 s', () => {
    expect(expiryOf(0, 300)).toBe(270_000);
    expect(expiryOf(0, 20)).toBe(15_000);
  });
});

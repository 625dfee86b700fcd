import { ManualClock } from '../../../test/utils/manual-clock';
import type { AuthenticatedUser } from '../authenticated-user';
import { kidOf, VerifiedTokenCache } from './verified-token.cache';

const NOW = 1_700_000_000_000;

function user(sub: string, expInS = 300): AuthenticatedUser {
  return {
    claims: { sub, exp: NOW / 1000 + expInS } as AuthenticatedUser['claims'],
    roles: [],
    accessToken: `token-of-${sub}`,
  };
}

describe(VerifiedTokenCache.name, () => {
  it('should answer a stored token until its exp, then forget it', () => {
    const clock = new ManualClock(NOW);
    const sut = new VerifiedTokenCache(10, () => true, clock);
    sut.set('t1', user('alice', 60), 'key-a');
    expect(sut.get('t1')?.claims.sub).toBe('alice');
    clock.advance(60_000);
    expect(sut.get('t1')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('should drop exactly the tokens signed by keys the realm removed', () => {
    const sut = new VerifiedTokenCache(10, () => true, new ManualClock(NOW));
    sut.set('t1', user('alice'), 'key-a');
    sut.set('t2', user('bob'), 'key-b');
    sut.set('t3', user('carol'), 'key-b');

    expect(sut.dropKeys(['key-b', 'key-x'])).toBe(2);

    expect(sut.get('t1')?.claims.sub).toBe('alice');
    expect(sut.get('t2')).toBeUndefined();
    expect(sut.get('t3')).toBeUndefined();
  });

  it('should not store a token whose key left the key set while it was being verified', () => {
    const current = new Set(['key-a']);
    const sut = new VerifiedTokenCache(10, (kid) => current.has(kid), new ManualClock(NOW));
    sut.set('t1', user('alice'), 'key-b');
    expect(sut.get('t1')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('should say whether it keeps anything, and keep nothing at size 0', () => {
    const off = new VerifiedTokenCache(0, () => true, new ManualClock(NOW));
    off.set('t1', user('alice'), 'key-a');
    expect(off.enabled).toBe(false);
    expect(off.get('t1')).toBeUndefined();
    expect(new VerifiedTokenCache(1, () => true, new ManualClock(NOW)).enabled).toBe(true);
  });

  it('should evict the oldest entry when full', () => {
    const sut = new VerifiedTokenCache(2, () => true, new ManualClock(NOW));
    sut.set('t1', user('a'), 'k');
    sut.set('t2', user('b'), 'k');
    sut.set('t3', user('c'), 'k');
    expect(sut.get('t1')).toBeUndefined();
    expect(sut.get('t3')?.claims.sub).toBe('c');
    expect(sut.size).toBe(2);
  });
});

describe(kidOf.name, () => {
  const header = (h: object): string => Buffer.from(JSON.stringify(h)).toString('base64url');

  it.each([
    [`${header({ alg: 'RS256', kid: 'abc' })}.e30.sig`, 'abc'],
    [`${header({ alg: 'RS256' })}.e30.sig`, ''],
    [`${header({ alg: 'RS256', kid: 42 })}.e30.sig`, ''],
    ['not-a-jwt', ''],
    ['%%%.e30.sig', ''],
  ])('should read the kid of %p as %p', (token, kid) => {
    expect(kidOf(token)).toBe(kid);
  });
});

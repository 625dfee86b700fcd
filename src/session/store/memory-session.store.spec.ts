import { ManualClock } from '../../../test/utils/manual-clock';
import { MemorySessionStore } from './memory-session.store';

describe(MemorySessionStore.name, () => {
  let sut: MemorySessionStore;
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock(1_000);
    sut = new MemorySessionStore(clock);
  });
  afterEach(async () => {
    await sut.close();
  });

  it('should forget a value once its TTL has passed', async () => {
    await sut.set('k', 'v', 100);
    expect(await sut.get('k')).toBe('v');
    clock.advance(100);
    expect(await sut.get('k')).toBeUndefined();
  });

  it('should count the unexpired keys under a prefix', async () => {
    await sut.set('s:a', 'v', 100);
    await sut.set('s:b', 'v', 200);
    await sut.set('seen:s:a', '1', 200);
    expect(sut.countLive('s:')).toBe(2);
    clock.advance(100);
    expect(sut.countLive('s:')).toBe(1);
  });

  it('should hand out a value to take() once', async () => {
    await sut.set('tx', 'v', 100);
    expect(await sut.take('tx')).toBe('v');
    expect(await sut.take('tx')).toBeUndefined();
  });

  it('should replace only a value that still exists', async () => {
    expect(await sut.replace('gone', 'v', 100)).toBe(false);
    expect(await sut.get('gone')).toBeUndefined();
    await sut.set('k', 'v1', 100);
    expect(await sut.replace('k', 'v2', 100)).toBe(true);
    expect(await sut.get('k')).toBe('v2');
  });

  it('should replace while locked only for the lock owner', async () => {
    await sut.set('k', 'v1', 100);
    await sut.setIfAbsent('l', 'a', 50);
    expect(await sut.replaceWhileLocked('k', 'v2', 100, 'l', 'b')).toBe(false);
    expect(await sut.replaceWhileLocked('k', 'v3', 100, 'l', 'a')).toBe(true);
    expect(await sut.get('k')).toBe('v3');
    clock.advance(50);
    expect(await sut.replaceWhileLocked('k', 'v4', 100, 'l', 'a')).toBe(false);
    expect(await sut.get('k')).toBe('v3');
  });

  it('should keep at most the cap of pending logins, dropping the oldest', async () => {
    const capped = new MemorySessionStore(clock, 60_000, 2);
    await capped.set('tx:1', 'a', 100);
    await capped.set('tx:2', 'b', 100);
    await capped.set('tx:3', 'c', 100);
    // Sessions are not login transactions: never evicted by the cap.
    await capped.set('s:1', 'session', 100);

    expect(await capped.get('tx:1')).toBeUndefined();
    expect(await capped.take('tx:2')).toBe('b');
    await capped.set('tx:4', 'd', 100);
    expect(await capped.get('tx:3')).toBe('c');
    expect(await capped.get('tx:4')).toBe('d');
    expect(await capped.get('s:1')).toBe('session');
    await capped.close();
  });

  it("should keep at most maxPerGroup live keys per group, dropping that group's oldest", async () => {
    for (const n of [1, 2, 3, 4]) {
      await sut.setInGroup(`tx:a${n}`, `a${n}`, 100, 'ip:a', 2);
    }
    await sut.setInGroup('tx:b1', 'b1', 100, 'ip:b', 2);

    expect(await sut.get('tx:a1')).toBeUndefined();
    expect(await sut.get('tx:a2')).toBeUndefined();
    expect(await sut.get('tx:a3')).toBe('a3');
    expect(await sut.get('tx:a4')).toBe('a4');
    expect(await sut.get('tx:b1')).toBe('b1');
  });

  it('should not count keys already taken or expired against their group', async () => {
    await sut.setInGroup('tx:1', '1', 100, 'ip:a', 2);
    await sut.setInGroup('tx:2', '2', 50, 'ip:a', 2);
    expect(await sut.take('tx:1')).toBe('1');
    clock.advance(50);
    await sut.setInGroup('tx:3', '3', 100, 'ip:a', 2);
    await sut.setInGroup('tx:4', '4', 100, 'ip:a', 2);
    expect(await sut.get('tx:3')).toBe('3');
    expect(await sut.get('tx:4')).toBe('4');
  });

  it('should keep a set-if-absent value until deleted by its holder or expired', async () => {
    expect(await sut.setIfAbsent('l', 'a', 50)).toBe(true);
    expect(await sut.setIfAbsent('l', 'b', 50)).toBe(false);
    await sut.deleteIfEquals('l', 'b');
    expect(await sut.setIfAbsent('l', 'b', 50)).toBe(false);
    clock.advance(50);
    expect(await sut.setIfAbsent('l', 'b', 50)).toBe(true);
    // a's lease ended: its late release must not free b's lock.
    await sut.deleteIfEquals('l', 'a');
    expect(await sut.setIfAbsent('l', 'c', 50)).toBe(false);
  });

  it('should return and drop an index, which lives as long as its longest member', async () => {
    await sut.addToIndex('sid:1', 's:a', 100);
    await sut.addToIndex('sid:1', 's:b', 10);
    clock.advance(50);
    expect((await sut.takeIndex('sid:1')).sort()).toEqual(['s:a', 's:b']);
    expect(await sut.takeIndex('sid:1')).toEqual([]);
  });
});

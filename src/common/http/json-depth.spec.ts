import { nestsDeeperThan } from './json-depth';

const arrays = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const objects = (depth: number): unknown =>
  JSON.parse(`${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`);

describe(nestsDeeperThan.name, () => {
  it('should count arrays and objects alike, up to the limit and no further', () => {
    expect(nestsDeeperThan(arrays(32), 32)).toBe(false);
    expect(nestsDeeperThan(arrays(33), 32)).toBe(true);
    expect(nestsDeeperThan(objects(32), 32)).toBe(false);
    expect(nestsDeeperThan(objects(33), 32)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: [1] }] }, 4)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: [1] }] }, 3)).toBe(true);
  });

  it('should take scalars, null and no body as depth 0', () => {
    for (const value of [undefined, null, 'x', 1, true]) {
      expect(nestsDeeperThan(value, 0)).toBe(false);
    }
    expect(nestsDeeperThan({}, 0)).toBe(true);
  });

  it('should look into every branch, not only the first', () => {
    const body = { shallow: 1, list: [1, 2, { deep: arrays(40) }] };
    expect(nestsDeeperThan(body, 32)).toBe(true);
  });

  it('should walk a million levels without overflowing its stack', () => {
    expect(nestsDeeperThan(arrays(1_000_000), 2_000_000)).toBe(false);
  });
});

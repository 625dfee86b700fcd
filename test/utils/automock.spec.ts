import { automock } from './automock';

class Base {
  inherited(): string {
    return 'real';
  }
}

class Store extends Base {
  private readonly secret = 'private state';
  readonly size: number = 3;

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(`${this.secret}:${key}`);
  }

  get ready(): boolean {
    return true;
  }

  onModuleDestroy(): Promise<void> {
    return Promise.reject(new Error('real hook'));
  }
}

/** Something that takes the real class, private members and all. */
const sizeOf = (store: Store): number => store.size;

describe(automock.name, () => {
  it('should throw naming the class and method on a call the test did not plan for', () => {
    const sut = automock(Store);

    expect(() => sut.get('k')).toThrow('unmocked call: Store.get');
    expect(() => sut.inherited()).toThrow('unmocked call: Store.inherited');
    expect(sut.get).toHaveBeenCalledWith('k');
  });

  it('should run a given implementation as a jest mock', async () => {
    const sut = automock(Store, { get: (key) => Promise.resolve(`mocked:${key}`) });

    await expect(sut.get('k')).resolves.toBe('mocked:k');
    expect(sut.get).toHaveBeenCalledTimes(1);
    sut.get.mockResolvedValueOnce('again');
    await expect(sut.get('k')).resolves.toBe('again');
  });

  it('should keep a given jest.fn as it is', () => {
    const get = jest.fn(() => Promise.resolve('x'));
    expect(automock(Store, { get }).get).toBe(get);
  });

  it('should throw on reading a getter that was not given, and return one that was', () => {
    expect(() => automock(Store).ready).toThrow('unmocked property: Store.ready');
    expect(automock(Store, { ready: false }).ready).toBe(false);
  });

  it("should make Nest's lifecycle hooks no-ops unless given", async () => {
    expect(automock(Store).onModuleDestroy()).toBeUndefined();
    const given = automock(Store, { onModuleDestroy: () => Promise.reject(new Error('given')) });
    await expect(given.onModuleDestroy()).rejects.toThrow('given');
  });

  it('should stand in for the class where it is typed, with the fields it was given', () => {
    expect(sizeOf(automock(Store, { size: 7 }))).toBe(7);
    expect(sizeOf(automock(Store))).toBeUndefined();
  });
});

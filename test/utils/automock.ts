/**
 * Typed mocks of classes, for unit and controller specs. Every method of the class (its own and
 * inherited ones) is a `jest.fn()` that throws `unmocked call: Class.method` unless the test gave
 * it an implementation, so a path the test did not plan for fails the test instead of quietly
 * getting `undefined`. Getters without a given value throw `unmocked property: Class.name` when
 * read. (After immich's `server/test/utils.ts` automock.)
 *
 * The exception: Nest's lifecycle hooks (`onModuleDestroy`, ...) are no-ops unless given. Nest
 * calls them on every provider, whether or not the code under test uses the provider at all.
 *
 * Fields that are not on the prototype (`readonly leaseMs = ...`, constructor parameters) are
 * unknown to the mock until given; a function given for one is wrapped in `jest.fn()` too.
 */
export type AutoMocked<T> = T & {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? jest.MockInstance<R, A> & T[K]
    : T[K];
};

/** Called by Nest on every provider; a mock without them could not be closed. */
const LIFECYCLE_HOOKS = new Set([
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor, whatever it takes
type Constructor<T> = abstract new (...args: any[]) => T;

export function automock<T extends object>(
  type: Constructor<T>,
  given: Partial<T> = {},
): AutoMocked<T> {
  const mock: Record<string, unknown> = {};
  const provided = given as Record<string, unknown>;
  for (const [name, descriptor] of members(type)) {
    if (name in provided) {
      continue;
    }
    if (descriptor.get) {
      Object.defineProperty(mock, name, {
        enumerable: true,
        get: () => {
          throw new Error(`unmocked property: ${type.name}.${name}`);
        },
      });
    } else if (typeof descriptor.value === 'function') {
      mock[name] = LIFECYCLE_HOOKS.has(name)
        ? jest.fn()
        : jest.fn(() => {
            throw new Error(`unmocked call: ${type.name}.${name}`);
          });
    }
  }
  for (const [name, value] of Object.entries(provided)) {
    mock[name] =
      typeof value === 'function' && !jest.isMockFunction(value)
        ? jest.fn(value as (...args: unknown[]) => unknown)
        : value;
  }
  // The one cast: the mock stands in for T, private members included.
  return mock as unknown as AutoMocked<T>;
}

/** The prototype members of a class and its ancestors, the nearest definition of each name. */
function members(type: Constructor<unknown>): Map<string, PropertyDescriptor> {
  const found = new Map<string, PropertyDescriptor>();
  for (
    let proto = type.prototype as object | null;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && descriptor && !found.has(name)) {
        found.set(name, descriptor);
      }
    }
  }
  return found;
}

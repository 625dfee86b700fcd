import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiRoutes, prefixesOverlap, readApiRoutes } from './api-routes.file';

const AUDIENCES = ['orders-api', 'billing-api'];
const ORDERS = { prefix: '/api/orders', target: 'http://127.0.0.1:4000', audience: 'orders-api' };
const FIELDS =
  'prefix, target, token, audience, scope, roles, timeoutMs, bodyLimitBytes, stripPrefix, websocket';

/** The problems of a routes file holding `routes`, named routes.json. */
const problemsOf = (routes: unknown): string[] =>
  parseApiRoutes(JSON.stringify(routes), 'routes.json', AUDIENCES).problems;

describe(parseApiRoutes.name, () => {
  it('should fill in the defaults and normalise the target', () => {
    const sut = parseApiRoutes(
      JSON.stringify([{ ...ORDERS, target: 'http://orders:4000/v1/' }]),
      'routes.json',
      AUDIENCES,
    );
    expect(sut).toEqual({
      problems: [],
      routes: [
        {
          prefix: '/api/orders',
          target: 'http://orders:4000/v1',
          token: 'exchange',
          audience: 'orders-api',
          roles: [],
          timeoutMs: 30_000,
          bodyLimitBytes: 10_485_760,
          stripPrefix: true,
          websocket: false,
        },
      ],
    });
  });

  it('should keep every field given, for every policy', () => {
    const routes = [
      { ...ORDERS, scope: 'openid orders:read', roles: ['admin', 'orders-api:orders:read'] },
      { prefix: '/api/me', target: 'https://me.example.com', token: 'user', timeoutMs: 100 },
      { prefix: '/api/bff', target: 'http://x', token: 'client', bodyLimitBytes: 0 },
      { prefix: '/api/public', target: 'http://x', token: 'user-or-none', audience: 'billing-api' },
      {
        prefix: '/api/anon',
        target: 'http://x',
        token: 'none',
        stripPrefix: false,
        websocket: true,
      },
    ];
    const sut = parseApiRoutes(JSON.stringify(routes), 'routes.json', AUDIENCES);
    expect(sut.problems).toEqual([]);
    expect(sut.routes).toMatchObject([
      {
        token: 'exchange',
        scope: 'openid orders:read',
        roles: ['admin', 'orders-api:orders:read'],
      },
      { token: 'user', target: 'https://me.example.com', timeoutMs: 100 },
      { token: 'client', bodyLimitBytes: 0 },
      { token: 'user-or-none', audience: 'billing-api' },
      { token: 'none', stripPrefix: false, websocket: true },
    ]);
    expect(sut.routes[1]).not.toHaveProperty('audience');
  });

  it('should accept an empty list and treat null as a field left out', () => {
    expect(parseApiRoutes('[]', 'routes.json', AUDIENCES)).toEqual({ routes: [], problems: [] });
    expect(problemsOf([{ ...ORDERS, scope: null, roles: null }])).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    [
      'exchange without audience',
      [{ prefix: '/api/orders', target: 'http://x' }],
      [
        'routes.json: route [0] /api/orders: audience is required with token exchange: the client id the token is for (example: "audience": "orders-api")',
      ],
    ],
    [
      'an audience outside TOKEN_EXCHANGE_AUDIENCES',
      [{ ...ORDERS, audience: 'admin-api' }],
      [
        'routes.json: route [0] /api/orders: audience \'admin-api\' is not in TOKEN_EXCHANGE_AUDIENCES (orders-api, billing-api): add it there (example: "audience": "orders-api")',
      ],
    ],
    [
      'an unknown field',
      [{ ...ORDERS, timeout: 5000 }],
      [`routes.json: route [0] /api/orders: "timeout" is not a route field (fields: ${FIELDS})`],
    ],
    [
      'a __proto__ field',
      [
        JSON.parse(
          `{"__proto__": {"audience": "x"}, "prefix": "/api/orders", "target": "http://x"}`,
        ),
      ],
      [
        `routes.json: route [0] /api/orders: "__proto__" is not a route field (fields: ${FIELDS})`,
        'routes.json: route [0] /api/orders: audience is required with token exchange: the client id the token is for (example: "audience": "orders-api")',
      ],
    ],
    [
      'a target that is no URL',
      [{ ...ORDERS, target: 'orders-api:4000' }],
      [
        'routes.json: route [0] /api/orders: target must be an http(s) URL, not orders-api (example: "target": "http://127.0.0.1:4000")',
      ],
    ],
    [
      'a target with a query',
      [{ ...ORDERS, target: 'http://x/api?v=1' }],
      [
        'routes.json: route [0] /api/orders: target must not have a query or fragment: it is a base URL (example: "target": "http://127.0.0.1:4000")',
      ],
    ],
    [
      'a target with credentials',
      [{ ...ORDERS, target: 'http://user:pw@x' }],
      [
        'routes.json: route [0] /api/orders: target must not carry credentials (user:password@): the policy decides what the API gets (example: "target": "http://127.0.0.1:4000")',
      ],
    ],
    [
      'a missing target',
      [{ prefix: '/api/orders', audience: 'orders-api' }],
      [
        'routes.json: route [0] /api/orders: target must be an http(s) URL (example: "target": "http://127.0.0.1:4000")',
      ],
    ],
    [
      'a prefix without a leading slash',
      [{ ...ORDERS, prefix: 'api/orders' }],
      [
        'routes.json: route [0] api/orders: prefix must start with / (example: "prefix": "/api/orders")',
      ],
    ],
    [
      'a prefix with a trailing slash',
      [{ ...ORDERS, prefix: '/api/orders/' }],
      [
        'routes.json: route [0] /api/orders/: prefix must not end with / (a prefix also matches the paths below it) (example: "prefix": "/api/orders")',
      ],
    ],
    [
      'a prefix with ..',
      [{ ...ORDERS, prefix: '/api/../auth' }],
      [
        'routes.json: route [0] /api/../auth: prefix must not contain . or .. segments (example: "prefix": "/api/orders")',
      ],
    ],
    [
      'the root as prefix',
      [{ ...ORDERS, prefix: '/' }],
      [
        'routes.json: route [0] /: prefix must name a path below / (the BFF\'s own routes live there) (example: "prefix": "/api/orders")',
      ],
    ],
    [
      'a prefix with a space',
      [{ ...ORDERS, prefix: '/api/my orders' }],
      [
        'routes.json: route [0] "/api/my orders": prefix may hold only letters, digits and - . _ ~ between its slashes (example: "prefix": "/api/orders")',
      ],
    ],
    [
      "a prefix over the BFF's own routes",
      [{ ...ORDERS, prefix: '/auth/orders' }],
      [
        'routes.json: route [0] /auth/orders: prefix overlaps the BFF\'s own /auth routes (example: "prefix": "/api/orders")',
      ],
    ],
    [
      'a missing prefix',
      [{ target: 'http://x', audience: 'orders-api' }],
      ['routes.json: route [0]: prefix must be a string (example: "prefix": "/api/orders")'],
    ],
    [
      'a duplicate prefix',
      [ORDERS, { ...ORDERS, target: 'http://y' }],
      ['routes.json: route [1] /api/orders: prefix duplicates route [0] /api/orders'],
    ],
    [
      'overlapping prefixes, in either order',
      [{ ...ORDERS, prefix: '/api' }, ORDERS, { ...ORDERS, prefix: '/api/orders/archive' }],
      [
        'routes.json: route [1] /api/orders: prefix overlaps route [0] /api: one is a path-segment prefix of the other',
        'routes.json: route [2] /api/orders/archive: prefix overlaps route [0] /api: one is a path-segment prefix of the other',
        'routes.json: route [2] /api/orders/archive: prefix overlaps route [1] /api/orders: one is a path-segment prefix of the other',
      ],
    ],
    [
      'an unknown policy',
      [{ ...ORDERS, token: 'bearer' }],
      [
        'routes.json: route [0] /api/orders: token must be one of exchange, user, client, user-or-none, none (example: "token": "exchange")',
      ],
    ],
    [
      'an audience on a policy that sends no exchanged token',
      [{ ...ORDERS, token: 'client' }],
      [
        'routes.json: route [0] /api/orders: audience is only for token exchange and user-or-none, not client (example: "audience": "orders-api")',
      ],
    ],
    [
      'a scope without an audience',
      [{ prefix: '/api/orders', target: 'http://x', token: 'user-or-none', scope: 'openid' }],
      [
        'routes.json: route [0] /api/orders: scope narrows an exchanged token: it needs token exchange (or user-or-none) with an audience (example: "scope": "openid")',
      ],
    ],
    [
      'roles on a route that lets anonymous callers through',
      [{ prefix: '/api/orders', target: 'http://x', token: 'none', roles: ['admin'] }],
      [
        'routes.json: route [0] /api/orders: roles need a signed-in caller, which token none does not require (example: "roles": ["admin"])',
      ],
    ],
    [
      'bad roles, limits and flags',
      [
        {
          ...ORDERS,
          roles: [],
          timeoutMs: 99,
          bodyLimitBytes: '10MB',
          stripPrefix: 'yes',
          websocket: 1,
        },
      ],
      [
        'routes.json: route [0] /api/orders: roles must be a non-empty array of role names (realm role, or client:role) (example: "roles": ["admin"])',
        'routes.json: route [0] /api/orders: timeoutMs must be a whole number of milliseconds from 100 to 600000 (example: "timeoutMs": 30000)',
        'routes.json: route [0] /api/orders: bodyLimitBytes must be a whole number of bytes from 0 to 1073741824 (example: "bodyLimitBytes": 10485760)',
        'routes.json: route [0] /api/orders: stripPrefix must be true or false (example: "stripPrefix": true)',
        'routes.json: route [0] /api/orders: websocket must be true or false (example: "websocket": false)',
      ],
    ],
    [
      'an entry that is no object',
      [ORDERS, 'GET /api/x', null, []],
      [
        'routes.json: route [1] must be an object, not a string',
        'routes.json: route [2] must be an object, not null',
        'routes.json: route [3] must be an object, not an array',
      ],
    ],
    [
      'an object instead of a list',
      { routes: [ORDERS] },
      ['routes.json must hold an array of routes at the top level, not an object'],
    ],
  ])('should refuse %s with exactly these lines', (_what, routes, lines) => {
    expect(problemsOf(routes)).toEqual(lines);
  });

  it('should report every bad route of a file, and no routes at all', () => {
    const sut = parseApiRoutes(
      JSON.stringify([
        ORDERS,
        { prefix: '/api/a', target: 'http://x' },
        { ...ORDERS, prefix: '/b', x: 1 },
      ]),
      'routes.json',
      AUDIENCES,
    );
    expect(sut.routes).toEqual([]);
    expect(sut.problems.map((line) => line.slice(0, 'routes.json: route [1]'.length))).toEqual([
      'routes.json: route [1]',
      'routes.json: route [2]',
    ]);
  });

  it('should refuse text that is not JSON, naming the file', () => {
    const { problems } = parseApiRoutes('[{"prefix": "/api",}]', 'routes.json', AUDIENCES);
    expect(problems).toEqual([expect.stringMatching(/^routes\.json is not valid JSON: \S/)]);
  });
});

describe(readApiRoutes.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'api-routes-'));

  it('should read a file and name it in its problems', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ prefix: '/api/orders', target: 'http://x' }]));
    expect(readApiRoutes(file, AUDIENCES).problems).toEqual([
      `${file}: route [0] /api/orders: audience is required with token exchange: the client id the token is for (example: "audience": "orders-api")`,
    ]);
  });

  it('should name a file it cannot read, with the reason', () => {
    const file = join(dir, 'missing.json');
    expect(readApiRoutes(file, AUDIENCES)).toEqual({
      routes: [],
      problems: [`${file} cannot be read (ENOENT) (example: API_ROUTES_FILE=api-routes.json)`],
    });
    expect(readApiRoutes(dir, AUDIENCES).problems).toEqual([
      `${dir} cannot be read (EISDIR) (example: API_ROUTES_FILE=api-routes.json)`,
    ]);
  });

  it('should find api-routes.example.json valid with the default audiences', () => {
    const file = join(__dirname, '..', '..', 'api-routes.example.json');
    const sut = readApiRoutes(file, ['orders-api']);
    expect(sut.problems).toEqual([]);
    expect(sut.routes[0]).toMatchObject({
      prefix: '/api/orders',
      token: 'exchange',
      audience: 'orders-api',
    });
    expect(new Set(sut.routes.map((r) => r.token))).toEqual(
      new Set(['exchange', 'user', 'client', 'user-or-none', 'none']),
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(sut.routes.length);
  });
});

describe(prefixesOverlap.name, () => {
  it.each([
    ['/api', '/api/orders', true],
    ['/api/orders', '/api', true],
    ['/api/orders', '/api/orders', true],
    ['/api/orders', '/api/ordersx', false],
    ['/api/orders-as-user', '/api/orders', false],
    ['/docs', '/docs-json', false],
  ])('should find %s and %s overlapping: %s', (a, b, expected) => {
    expect(prefixesOverlap(a, b)).toBe(expected);
  });
});

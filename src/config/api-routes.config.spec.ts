import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matches } from 'class-validator';
import { ApiRoutesEnv, apiRoutesConfig } from './api-routes.config';
import { collectEnvErrors } from './config';
import { checkEnv, EnvDeepCheck, EnvValidationError } from './env-validation';

const BASE = {
  KEYCLOAK_URL: 'http://127.0.0.1:8080',
  KEYCLOAK_REALM: 'demo',
  KEYCLOAK_CLIENT_ID: 'bff',
  KEYCLOAK_CLIENT_SECRET: 'bff-secret',
};
const dir = mkdtempSync(join(tmpdir(), 'api-routes-config-'));

function routesFile(name: string, routes: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(routes));
  return file;
}

const good = routesFile('good.json', [
  { prefix: '/api/orders', target: 'http://127.0.0.1:4000', audience: 'orders-api' },
  { prefix: '/api/status', target: 'http://127.0.0.1:4000/public', token: 'none' },
]);
const bad = routesFile('bad.json', [
  { prefix: '/api/orders', target: 'http://127.0.0.1:4000' },
  { prefix: '/api/orders', target: 'http://127.0.0.1:4000', token: 'user', extra: true },
]);

describe(ApiRoutesEnv.name, () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
  });

  it('should need nothing when API_ROUTES_FILE is unset, and give no routes', () => {
    expect(collectEnvErrors(BASE)).toEqual([]);
    process.env = { ...BASE, API_ROUTES_FILE: '' };
    expect(apiRoutesConfig()).toEqual({ routes: [], tokenCacheSize: 10_000 });
  });

  it('should give the routes of a good file', () => {
    expect(collectEnvErrors({ ...BASE, API_ROUTES_FILE: good })).toEqual([]);
    process.env = { ...BASE, API_ROUTES_FILE: good };
    const sut = apiRoutesConfig();
    expect(sut.file).toBe(good);
    expect(sut.routes.map((r) => [r.prefix, r.token])).toEqual([
      ['/api/orders', 'exchange'],
      ['/api/status', 'none'],
    ]);
  });

  it('should report each bad route as a line of its own under API_ROUTES_FILE', () => {
    expect(collectEnvErrors({ ...BASE, API_ROUTES_FILE: bad })).toEqual([
      `API_ROUTES_FILE is invalid: ${bad}: route [0] /api/orders: audience is required with token exchange: the client id the token is for (example: "audience": "orders-api")`,
      `API_ROUTES_FILE is invalid: ${bad}: route [1] /api/orders: "extra" is not a route field (fields: prefix, target, token, audience, scope, roles, timeoutMs, bodyLimitBytes, stripPrefix, websocket)`,
      `API_ROUTES_FILE is invalid: ${bad}: route [1] /api/orders: prefix duplicates route [0] /api/orders`,
    ]);
  });

  it('should check exchange audiences against TOKEN_EXCHANGE_AUDIENCES', () => {
    expect(
      collectEnvErrors({ ...BASE, API_ROUTES_FILE: good, TOKEN_EXCHANGE_AUDIENCES: 'billing-api' }),
    ).toEqual([
      `API_ROUTES_FILE is invalid: ${good}: route [0] /api/orders: audience 'orders-api' is not in TOKEN_EXCHANGE_AUDIENCES (billing-api): add it there (example: "audience": "orders-api")`,
    ]);
    // Empty counts as unset, as for every variable: the default orders-api applies.
    expect(
      collectEnvErrors({ ...BASE, API_ROUTES_FILE: good, TOKEN_EXCHANGE_AUDIENCES: '' }),
    ).toEqual([]);
  });

  it('should throw the same lines from the namespace factory', () => {
    process.env = { ...BASE, API_ROUTES_FILE: bad };
    expect(() => apiRoutesConfig()).toThrow(EnvValidationError);
    expect(() => apiRoutesConfig()).toThrow(/route \[0\] \/api\/orders: audience is required/);
  });
});

describe(EnvDeepCheck.name, () => {
  class FileEnv {
    @Matches(/^\w+\.json$/, { message: 'must name a .json file' })
    @EnvDeepCheck((value) => (value === 'two.json' ? ['first problem', 'second problem'] : []))
    SOME_FILE = 'none.json';
  }

  it('should add one line per problem the deep check finds', () => {
    expect(checkEnv(FileEnv, { SOME_FILE: 'two.json' }).errors).toEqual([
      'SOME_FILE is invalid: first problem',
      'SOME_FILE is invalid: second problem',
    ]);
  });

  it("should not run the deep check when the variable's own validators refuse it", () => {
    expect(checkEnv(FileEnv, { SOME_FILE: 'two.txt' }).errors).toEqual([
      'SOME_FILE is invalid: must name a .json file',
    ]);
  });
});

import { readFileSync, rmSync } from 'node:fs';
import { readApiRoutes } from '../../src/config/api-routes.file';
import type { RunningKeycloak } from '../keycloak/types';
import { bffEnvironment, proxyTryLines } from './bff-service';
import { parseStackOptions } from './options';
import {
  EXAMPLE_ROUTES_FILE,
  ordersApiEnvironment,
  routesFileFor,
  routesFor,
} from './orders-api-service';

const keycloak: RunningKeycloak = {
  source: 'distribution',
  url: 'http://127.0.0.1:18080',
  adminUser: 'admin',
  adminPassword: 'admin',
  stop: () => Promise.resolve(),
};

describe(routesFileFor.name, () => {
  it('should give the example itself on port 4000, which its targets name', () => {
    expect(routesFileFor(4000)).toEqual({ file: EXAMPLE_ROUTES_FILE });
    const targets = (JSON.parse(readFileSync(EXAMPLE_ROUTES_FILE, 'utf8')) as { target: string }[])
      .map((r) => new URL(r.target).port)
      .filter((port, i, all) => all.indexOf(port) === i);
    expect(targets).toEqual(['4000']);
  });

  it('should derive a valid routes file whose every target follows another port', () => {
    const { file, dir } = routesFileFor(14000);
    try {
      expect(dir).toBeDefined();
      const { routes, problems } = readApiRoutes(file, ['orders-api']);
      expect(problems).toEqual([]);
      const example = readApiRoutes(EXAMPLE_ROUTES_FILE, ['orders-api']).routes;
      expect(routes.map((r) => r.prefix)).toEqual(example.map((r) => r.prefix));
      expect(routes.map((r) => String(r.target))).toEqual(
        example.map((r) => String(r.target).replace(':4000', ':14000')),
      );
      expect(JSON.stringify(routes)).not.toContain(':4000');
    } finally {
      rmSync(dir ?? '', { recursive: true, force: true });
    }
  });

  it('should keep target paths and leave other hosts alone', () => {
    const example = JSON.stringify([
      { prefix: '/a', target: 'http://127.0.0.1:4000/public' },
      { prefix: '/b', target: 'http://127.0.0.1:40000' },
      { prefix: '/c', target: 'https://api.example.com' },
    ]);
    expect(routesFor(example, 'http://127.0.0.1:5000')).toEqual([
      { prefix: '/a', target: 'http://127.0.0.1:5000/public' },
      { prefix: '/b', target: 'http://127.0.0.1:40000' },
      { prefix: '/c', target: 'https://api.example.com' },
    ]);
  });
});

describe(ordersApiEnvironment.name, () => {
  it("should point orders-api at the stack's Keycloak and realm, on its port, on loopback", () => {
    const env = ordersApiEnvironment(
      { options: parseStackOptions(['--orders-api-port', '14000'], {}) },
      keycloak.url,
      { PORT: '3000', KEYCLOAK_PUBLIC_URL: 'https://sso.example.com', LOG_LEVEL: 'debug' },
    );
    expect(env).toMatchObject({
      KEYCLOAK_URL: 'http://127.0.0.1:18080',
      KEYCLOAK_REALM: 'demo',
      HOST: '127.0.0.1',
      PORT: '14000',
      LOG_LEVEL: 'debug',
    });
    expect(env.KEYCLOAK_PUBLIC_URL).toBeUndefined();
  });
});

describe('the BFF with orders-api in the stack', () => {
  it('should get the routes file and the exchange audience', () => {
    const options = parseStackOptions([], {});
    expect(bffEnvironment({ options, routesFile: '/tmp/r.json' }, keycloak, {})).toMatchObject({
      API_ROUTES_FILE: '/tmp/r.json',
      TOKEN_EXCHANGE_AUDIENCES: 'orders-api',
    });
    expect(bffEnvironment({ options }, keycloak, {}).API_ROUTES_FILE).toBeUndefined();
  });

  it('should print a curl in bearer mode and a fetch with the CSRF header in cookie mode', () => {
    expect(proxyTryLines({ options: parseStackOptions(['--port', '4100'], {}) })).toContain(
      '  curl -s http://127.0.0.1:4100/api/orders/orders -H "authorization: Bearer $ACCESS_TOKEN"',
    );
    const cookie = proxyTryLines({ options: parseStackOptions(['--session'], {}) }).join('\n');
    expect(cookie).toContain("fetch('/api/orders/orders', { credentials: 'include' })");
    expect(cookie).toContain("'x-csrf': '1'");
  });
});

import type { ApiRoute } from '../config/api-route.entry';
import { upstreamUrl } from './api-proxy';
import { ProxyError } from './proxy.errors';

const route: ApiRoute = {
  prefix: '/api/orders',
  target: 'http://orders:4000/v1',
  token: 'none',
  roles: [],
  timeoutMs: 1000,
  bodyLimitBytes: 1000,
  stripPrefix: true,
  websocket: false,
};

describe(upstreamUrl.name, () => {
  it.each([
    ['/api/orders', 'http://orders:4000/v1'],
    ['/api/orders/42', 'http://orders:4000/v1/42'],
    ['/api/orders/42?x=1&y=%20', 'http://orders:4000/v1/42?x=1&y=%20'],
    ['/api/orders?limit=2', 'http://orders:4000/v1?limit=2'],
    ['/api/orders/a%2Fb/...', 'http://orders:4000/v1/a%2Fb/...'],
  ])('should map %s to %s', (path, expected) => {
    expect(upstreamUrl(route, path)).toBe(expected);
  });

  it('should keep the prefix without stripPrefix', () => {
    expect(upstreamUrl({ ...route, stripPrefix: false }, '/api/orders/42')).toBe(
      'http://orders:4000/v1/api/orders/42',
    );
  });

  it.each([
    '/api/orders/..',
    '/api/orders/../admin',
    '/api/orders/%2e%2e/admin',
    '/api/orders/.%2E',
    '/api/orders/x/%2E/y',
    '/api/orders/..%5cadmin',
    '/api/orders/%E0%A4%A',
  ])('should refuse %s', (path) => {
    expect(() => upstreamUrl(route, path)).toThrow(ProxyError);
  });
});

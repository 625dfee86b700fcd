import { appConfig } from './app.config';
import { collectEnvErrors } from './config';

const BASE = {
  KEYCLOAK_URL: 'http://127.0.0.1:8080',
  KEYCLOAK_REALM: 'demo',
  KEYCLOAK_CLIENT_ID: 'bff',
  KEYCLOAK_CLIENT_SECRET: 'bff-secret',
};

describe('app config: TRUST_PROXY', () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.7', ['10.0.0.7']],
    ['10.0.0.0/8, 192.168.1.10', ['10.0.0.0/8', '192.168.1.10']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
    ['::1, fd00::/8', ['::1', 'fd00::/8']],
  ])('should hand Fastify %p as %p', (raw, expected) => {
    process.env = { ...BASE, TRUST_PROXY: raw };
    expect(appConfig().trustProxy).toEqual(expected);
  });

  it('should refuse true with one line that says to use a hop count or the proxy CIDR', () => {
    expect(collectEnvErrors({ ...BASE, TRUST_PROXY: 'true' })).toEqual([
      'TRUST_PROXY is invalid: true trusts whatever X-Forwarded-For a client sends, so each client picks its own IP (and escapes the per-IP login limit); set how many proxies stand in front of the BFF (TRUST_PROXY=1) or their addresses/CIDRs (TRUST_PROXY=10.0.0.0/8) (example: TRUST_PROXY=1)',
    ]);
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.1, 0.0.0.0/00'])(
    'should refuse %p, which trusts every address as true does',
    (raw) => {
      const lines = collectEnvErrors({ ...BASE, TRUST_PROXY: raw });
      expect(lines).toEqual([expect.stringMatching(/^TRUST_PROXY is invalid: true trusts/)]);
    },
  );

  it.each([
    ['0', 'a number of proxies must be 1 to 10'],
    ['11', 'a number of proxies must be 1 to 10'],
    ['yes', "not an address or CIDR: 'yes'"],
    ['proxy.internal', "not an address or CIDR: 'proxy.internal'"],
    ['10.0.0.0/33', "not an address or CIDR: '10.0.0.0/33'"],
    ['10.0.0.1, 300.0.0.1', "not an address or CIDR: '300.0.0.1'"],
    ['10.0.0.0/8/8', "not an address or CIDR: '10.0.0.0/8/8'"],
    ['10.0.0.1,,10.0.0.2', "not an address or CIDR: ''"],
    ['-1', "not an address or CIDR: '-1'"],
  ])('should refuse %p on one line naming the cause', (raw, reason) => {
    const lines = collectEnvErrors({ ...BASE, TRUST_PROXY: raw });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^TRUST_PROXY is invalid: /);
    expect(lines[0]).toContain(reason);
    expect(lines[0]).toMatch(/\(example: TRUST_PROXY=1\)$/);
  });
});

describe('app config: timeouts', () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
  });

  it('should take the request, headers and drain timeouts', () => {
    process.env = {
      ...BASE,
      REQUEST_TIMEOUT_MS: '20000',
      HEADERS_TIMEOUT_MS: '5000',
      SHUTDOWN_DRAIN_MS: '0',
    };
    expect(appConfig()).toMatchObject({
      requestTimeoutMs: 20000,
      headersTimeoutMs: 5000,
      shutdownDrainMs: 0,
    });
  });

  it('should refuse headers that may take longer than the whole request, in one line', () => {
    expect(
      collectEnvErrors({ ...BASE, REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' }),
    ).toEqual([
      'HEADERS_TIMEOUT_MS is invalid: must not exceed REQUEST_TIMEOUT_MS (5000): the headers are part of the request (example: HEADERS_TIMEOUT_MS=10000)',
    ]);
  });

  it('should refuse a drain that outlasts the shutdown deadline', () => {
    expect(
      collectEnvErrors({ ...BASE, SHUTDOWN_TIMEOUT_MS: '1000', SHUTDOWN_DRAIN_MS: '1000' }),
    ).toEqual([
      expect.stringMatching(
        /^SHUTDOWN_DRAIN_MS is invalid: must be shorter than SHUTDOWN_TIMEOUT_MS \(1000\)/,
      ),
    ]);
  });
});

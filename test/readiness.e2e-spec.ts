import { type KeycloakProxy, startProxy } from '../scripts/support/keycloak-proxy';
import { createTestApp, type TestApp } from './utils/test-app';
import { kc } from './utils/keycloak';

interface Problem {
  code: string;
  checks?: { keycloak?: { code?: string; signingKeys?: number } };
}

describe('Readiness (real Keycloak, counting proxy)', () => {
  let proxy: KeycloakProxy;
  let sut: TestApp;
  const discoveryCalls = () =>
    proxy.seen.filter((r) => r.path.endsWith('/.well-known/openid-configuration')).length;

  beforeAll(async () => {
    proxy = await startProxy(kc.url());
    sut = await createTestApp({ KEYCLOAK_URL: proxy.url, KEYCLOAK_PUBLIC_URL: kc.url() });
  });

  afterAll(async () => {
    await sut.close();
    await proxy.close();
  });

  it('should not call Keycloak once per request: 500 probes in a burst cost one call a second', async () => {
    const before = discoveryCalls();
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 500 }, () => sut.inject({ method: 'GET', url: '/health/ready' })),
    );
    expect(answers.map((res) => res.statusCode)).toEqual(answers.map(() => 200));
    // A burst spans at most two cache periods on a loaded machine; never one call per request.
    const periods = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(discoveryCalls() - before).toBeLessThanOrEqual(periods);
    expect(discoveryCalls() - before).toBeGreaterThanOrEqual(1);
  });

  it('should probe Keycloak again after a second', async () => {
    await sut.inject({ method: 'GET', url: '/health/ready' });
    const before = discoveryCalls();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await sut.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect(discoveryCalls()).toBe(before + 1);
  });

  it('should not be ready while the realm publishes no signing key', async () => {
    const keyless = await startProxy(kc.url());
    keyless.fault = (seen) =>
      seen.path.endsWith('/protocol/openid-connect/certs') ? { body: '{"keys":[]}' } : undefined;
    const app = await createTestApp({ KEYCLOAK_URL: keyless.url, KEYCLOAK_PUBLIC_URL: kc.url() });
    try {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect({ status: res.statusCode, ...res.json<Problem>() }).toMatchObject({
        status: 503,
        code: 'JWKS_UNAVAILABLE',
        checks: { keycloak: { code: 'JWKS_UNAVAILABLE', signingKeys: 0 } },
      });
      // Keys published again: ready within the cache period, without a restart.
      keyless.fault = undefined;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const recovered = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(recovered.statusCode).toBe(200);
    } finally {
      await app.close();
      await keyless.close();
    }
  });
});

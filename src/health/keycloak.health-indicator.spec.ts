import { HealthIndicatorService } from '@nestjs/terminus';
import type { KeycloakConfig } from '../config/keycloak.config';
import type { JwksService } from '../keycloak/jwks.service';
import type { OidcDiscoveryService } from '../keycloak/oidc-discovery.service';
import { JwksUnavailableError } from '../keycloak/token.errors';
import { KeycloakHealthIndicator, READY_CACHE_MS } from './keycloak.health-indicator';

const ISSUER = 'http://kc/realms/demo';

function setup(kids: string[] = ['k1']) {
  const keys = { kids };
  const discovery = {
    probe: jest.fn(() => Promise.resolve()),
    getMetadata: jest.fn(() => Promise.resolve({ issuer: ISSUER })),
    isLoaded: true,
  };
  const refresh = jest.fn<Promise<void>, []>(() =>
    Promise.reject(new JwksUnavailableError("The realm's JWKS has no RSA/EC signing key")),
  );
  const jwks = {
    get kids() {
      return keys.kids;
    },
    refresh,
  };
  const sut = new KeycloakHealthIndicator(
    discovery as unknown as OidcDiscoveryService,
    jwks as unknown as JwksService,
    new HealthIndicatorService(),
    { expectedIssuer: ISSUER } as KeycloakConfig,
  );
  return { sut, discovery, refresh, keys };
}

describe(KeycloakHealthIndicator.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should be up with the discovery loaded and a signing key', async () => {
    const { sut } = setup();
    await expect(sut.isReady()).resolves.toEqual({
      keycloak: { status: 'up', discovery: 'loaded', issuer: 'matches', signingKeys: 1 },
    });
  });

  it('should probe Keycloak once for any number of callers within a second', async () => {
    const { sut, discovery } = setup();
    await Promise.all(Array.from({ length: 500 }, () => sut.isReady()));
    jest.advanceTimersByTime(READY_CACHE_MS - 1);
    await sut.isReady();
    expect(discovery.probe).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    await sut.isReady();
    expect(discovery.probe).toHaveBeenCalledTimes(2);
  });

  it('should share a probe in flight however long it takes, then count from its answer', async () => {
    const { sut, discovery } = setup();
    let answer!: () => void;
    discovery.probe.mockImplementationOnce(() => new Promise<void>((r) => (answer = r)));
    const first = sut.isReady();
    jest.advanceTimersByTime(5 * READY_CACHE_MS);
    const second = sut.isReady();
    answer();
    await Promise.all([first, second]);
    jest.advanceTimersByTime(READY_CACHE_MS - 1);
    await sut.isReady();
    expect(discovery.probe).toHaveBeenCalledTimes(1);
  });

  it('should be down with JWKS_UNAVAILABLE while no signing key can be had, after one fetch', async () => {
    const { sut, refresh } = setup([]);
    await expect(sut.isReady()).resolves.toEqual({
      keycloak: {
        status: 'down',
        discovery: 'loaded',
        code: 'JWKS_UNAVAILABLE',
        message: "The realm's JWKS has no RSA/EC signing key",
        signingKeys: 0,
      },
    });
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('should be up again once a fetch brings a key', async () => {
    const { sut, refresh, keys } = setup([]);
    refresh.mockImplementationOnce(() => {
      keys.kids = ['k2'];
      return Promise.resolve();
    });
    await expect(sut.isReady()).resolves.toMatchObject({
      keycloak: { status: 'up', signingKeys: 1 },
    });
  });
});

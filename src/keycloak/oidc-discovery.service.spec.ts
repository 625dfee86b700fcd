import { HttpService } from '@nestjs/axios';
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { KeycloakConfig } from '../config/keycloak.config';
import { OidcDiscoveryService, RealmNotFoundError } from './oidc-discovery.service';

const PUBLIC = 'https://sso.example.com';
const INTERNAL = 'http://keycloak:8080';

function metadata(base: string) {
  const realm = `${base}/realms/demo`;
  return {
    issuer: realm,
    authorization_endpoint: `${realm}/protocol/openid-connect/auth`,
    token_endpoint: `${realm}/protocol/openid-connect/token`,
    userinfo_endpoint: `${realm}/protocol/openid-connect/userinfo`,
    jwks_uri: `${realm}/protocol/openid-connect/certs`,
    end_session_endpoint: `${realm}/protocol/openid-connect/logout`,
  };
}

function config(url: string, publicUrl = url): KeycloakConfig {
  return {
    url,
    publicUrl,
    realm: 'demo',
    clientId: 'bff',
    clientSecret: 'bff-secret',
    httpTimeoutMs: 1000,
    jwksRefetchCooldownMs: 5000,
    jwksRefreshIntervalMs: 60_000,
    expectedIssuer: `${publicUrl}/realms/demo`,
    discoveryUrl: `${url}/realms/demo/.well-known/openid-configuration`,
  };
}

/** A real HttpService whose requests fail unless the spec mocked the axios method called. */
function http(methods: Partial<Record<'get' | 'post', jest.Mock>>): HttpService {
  const unmocked = () => Promise.reject(new Error('unmocked request'));
  return new HttpService(Object.assign(axios.create({ adapter: unmocked }), methods));
}

const ok = (data: unknown) => Promise.resolve({ data } as AxiosResponse);

describe(OidcDiscoveryService.name, () => {
  it('should load discovery from KEYCLOAK_URL and rewrite back-channel endpoints to it', async () => {
    const get = jest.fn(() => ok(metadata(PUBLIC)));
    const sut = new OidcDiscoveryService(http({ get }), config(INTERNAL, PUBLIC));
    await sut.onModuleInit();
    expect(get).toHaveBeenCalledWith(`${INTERNAL}/realms/demo/.well-known/openid-configuration`);
    const endpoints = await sut.getEndpoints();
    expect(endpoints.token).toBe(`${INTERNAL}/realms/demo/protocol/openid-connect/token`);
    expect(endpoints.jwks).toBe(`${INTERNAL}/realms/demo/protocol/openid-connect/certs`);
    expect(endpoints.authorization).toBe(`${INTERNAL}/realms/demo/protocol/openid-connect/auth`);
    // Browser-facing endpoints keep the public host.
    expect((await sut.getMetadata()).authorization_endpoint).toBe(
      `${PUBLIC}/realms/demo/protocol/openid-connect/auth`,
    );
    sut.onApplicationShutdown();
  });

  it("should guess the realm's certs URL under KEYCLOAK_URL without calling Keycloak", () => {
    const get = jest.fn(() => ok(metadata(PUBLIC)));
    const sut = new OidcDiscoveryService(http({ get }), config(INTERNAL, PUBLIC));
    expect(sut.conventionalJwksUri).toBe(`${INTERNAL}/realms/demo/protocol/openid-connect/certs`);
    expect(get).not.toHaveBeenCalled();
  });

  it('should share one request between concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const get = jest.fn(async () => {
      await gate;
      return { data: metadata(INTERNAL) } as AxiosResponse;
    });
    const sut = new OidcDiscoveryService(http({ get }), config(INTERNAL));
    const all = Promise.all([sut.getMetadata(), sut.getMetadata(), sut.getEndpoints()]);
    release();
    await all;
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('should name an unknown realm', async () => {
    const cfg = { headers: new AxiosHeaders() } as InternalAxiosRequestConfig;
    const get = jest.fn(() =>
      Promise.reject(
        new AxiosError(
          '404',
          'ERR_BAD_REQUEST',
          cfg,
          {},
          {
            status: 404,
            statusText: 'Not Found',
            data: { error: 'Realm does not exist' },
            headers: {},
            config: cfg,
          },
        ),
      ),
    );
    const sut = new OidcDiscoveryService(http({ get }), config(INTERNAL));
    await expect(sut.getMetadata()).rejects.toBeInstanceOf(RealmNotFoundError);
    await expect(sut.getMetadata()).rejects.toMatchObject({
      code: 'REALM_NOT_FOUND',
      detail: "Keycloak at http://keycloak:8080 has no realm 'demo'",
    });
  });

  it('should refuse a discovery document without the endpoints we need', async () => {
    const sut = new OidcDiscoveryService(
      http({ get: jest.fn(() => ok({ issuer: 'x' })) }),
      config(INTERNAL),
    );
    await expect(sut.getMetadata()).rejects.toMatchObject({
      status: 502,
      code: 'IDP_ERROR',
      detail: expect.stringContaining(
        'issuer is not an http(s) URL; authorization_endpoint is missing; token_endpoint is missing',
      ),
    });
  });

  it('should retry with backoff at start and keep retrying in the background', async () => {
    jest.useFakeTimers();
    try {
      const cfg = { headers: new AxiosHeaders() } as InternalAxiosRequestConfig;
      const refused = () => Promise.reject(new AxiosError('refused', 'ECONNREFUSED', cfg));
      const get = jest.fn<Promise<AxiosResponse>, []>(refused);
      const sut = new OidcDiscoveryService(http({ get }), config(INTERNAL));
      const init = sut.onModuleInit();
      await jest.advanceTimersByTimeAsync(250 + 500 + 1000);
      await init;
      expect(get).toHaveBeenCalledTimes(4);
      expect(sut.isLoaded).toBe(false);
      expect(sut.lastFailure).toMatchObject({ code: 'IDP_UNAVAILABLE' });

      get.mockImplementation(() => ok(metadata(INTERNAL)));
      await jest.advanceTimersByTimeAsync(2000);
      expect(get).toHaveBeenCalledTimes(5);
      expect(sut.isLoaded).toBe(true);
      sut.onApplicationShutdown();
    } finally {
      jest.useRealTimers();
    }
  });
});

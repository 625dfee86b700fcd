import { HttpService } from '@nestjs/axios';
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { KeycloakConfig } from '../config/keycloak.config';
import { KeycloakAuthorizationProbe, refusesRedirectUri } from './keycloak-authorization.probe';
import { OidcDiscoveryService } from './oidc-discovery.service';

const PUBLIC = 'https://sso.example.com';
const INTERNAL = 'http://keycloak:8080';
const REDIRECT = 'http://localhost:3000/auth/callback';

const config: KeycloakConfig = {
  url: INTERNAL,
  publicUrl: PUBLIC,
  realm: 'demo',
  clientId: 'bff',
  clientSecret: 'bff-secret',
  httpTimeoutMs: 1000,
  jwksRefetchCooldownMs: 5000,
  jwksRefreshIntervalMs: 60_000,
  expectedIssuer: `${PUBLIC}/realms/demo`,
  discoveryUrl: `${INTERNAL}/realms/demo/.well-known/openid-configuration`,
};

const realm = `${PUBLIC}/realms/demo/protocol/openid-connect`;
const discovery = {
  issuer: `${PUBLIC}/realms/demo`,
  authorization_endpoint: `${realm}/auth`,
  token_endpoint: `${realm}/token`,
  userinfo_endpoint: `${realm}/userinfo`,
  jwks_uri: `${realm}/certs`,
  end_session_endpoint: `${realm}/logout`,
};

type Answer = Pick<AxiosResponse, 'status' | 'headers' | 'data'>;

/**
 * A real axios instance whose adapter answers in place of the network: the request config the
 * probe builds is what the adapter sees.
 */
function setup(answer: (request: InternalAxiosRequestConfig) => Promise<Answer>) {
  const requests: InternalAxiosRequestConfig[] = [];
  const instance = axios.create({
    adapter: async (request) => {
      if (request.url === config.discoveryUrl) {
        return { status: 200, statusText: '', headers: {}, data: discovery, config: request };
      }
      requests.push(request);
      return { statusText: '', config: request, ...(await answer(request)) };
    },
  });
  const http = new HttpService(instance);
  const sut = new KeycloakAuthorizationProbe(http, new OidcDiscoveryService(http, config), config);
  return { sut, requests };
}

describe(KeycloakAuthorizationProbe.name, () => {
  it('should send a code-flow request with PKCE to the back-channel authorization endpoint', async () => {
    const { sut, requests } = setup(() =>
      Promise.resolve({ status: 200, headers: {}, data: '<form id="kc-form-login">' }),
    );
    await expect(sut.probe(REDIRECT)).resolves.toEqual({
      status: 200,
      location: '',
      body: '<form id="kc-form-login">',
    });
    const [request] = requests;
    expect(request?.url).toBe(`${INTERNAL}/realms/demo/protocol/openid-connect/auth`);
    expect(request?.params).toEqual({
      client_id: 'bff',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    // A redirect is the answer to read, not a hop to follow.
    expect(request?.maxRedirects).toBe(0);
  });

  it('should send a fresh challenge each time', async () => {
    const { sut, requests } = setup(() => Promise.resolve({ status: 200, headers: {}, data: '' }));
    await sut.probe(REDIRECT);
    await sut.probe(REDIRECT);
    const challenges = requests.map((r) => (r.params as { code_challenge: string }).code_challenge);
    expect(new Set(challenges).size).toBe(2);
  });

  it('should hand back an error redirect as an answer, Location included', async () => {
    const location = `${REDIRECT}?error=unauthorized_client&error_description=Client+is+not+allowed`;
    const { sut, requests } = setup(() =>
      Promise.resolve({ status: 302, headers: { location }, data: '' }),
    );
    await expect(sut.probe(REDIRECT)).resolves.toEqual({ status: 302, location, body: '' });
    // The http adapter settles by validateStatus; ours must take every status as an answer.
    expect(requests[0]?.validateStatus?.(302)).toBe(true);
    expect(requests[0]?.validateStatus?.(400)).toBe(true);
  });

  it('should narrow a failure to reach Keycloak', async () => {
    const { sut } = setup((request) =>
      Promise.reject(
        new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', {
          ...request,
          headers: new AxiosHeaders(),
        }),
      ),
    );
    await expect(sut.probe(REDIRECT)).rejects.toMatchObject({
      code: 'IDP_UNAVAILABLE',
      detail: `Keycloak could not be reached (authorization endpoint): ECONNREFUSED ${INTERNAL}/realms/demo/protocol/openid-connect/auth`,
    });
  });

  it('should ask the back-channel end-session endpoint with client_id and the post-logout URI only', async () => {
    const { sut, requests } = setup(() =>
      Promise.resolve({ status: 302, headers: { location: 'http://localhost:3000/' }, data: '' }),
    );
    await expect(sut.probeLogout('http://localhost:3000/')).resolves.toEqual({
      status: 302,
      location: 'http://localhost:3000/',
      body: '',
    });
    expect(requests[0]?.url).toBe(`${INTERNAL}/realms/demo/protocol/openid-connect/logout`);
    expect(requests[0]?.params).toEqual({
      client_id: 'bff',
      post_logout_redirect_uri: 'http://localhost:3000/',
    });
    expect(requests[0]?.maxRedirects).toBe(0);
  });

  it('should narrow a failure to reach the end-session endpoint as the logout endpoint', async () => {
    const { sut } = setup((request) =>
      Promise.reject(
        new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', {
          ...request,
          headers: new AxiosHeaders(),
        }),
      ),
    );
    await expect(sut.probeLogout('http://localhost:3000/')).rejects.toMatchObject({
      code: 'IDP_UNAVAILABLE',
      detail: expect.stringContaining('(logout endpoint)'),
    });
  });
});

describe(refusesRedirectUri.name, () => {
  it.each([
    [400, '<p id="kc-error-message">Invalid parameter: redirect_uri</p>', true],
    [400, '<p>Invalid redirect uri</p>', true],
    [400, '<p>Client not found.</p>', false],
    [200, '<form id="kc-form-login">redirect_uri</form>', false],
    [302, '', false],
  ])('should take a %i answer with %j as a refusal: %s', (status, body, refused) => {
    expect(refusesRedirectUri({ status, location: '', body })).toBe(refused);
  });
});

import type { ApiRoute } from '../../config/api-route.entry';
import { KeycloakResponseError } from '../../keycloak/keycloak.errors';
import type {
  KeycloakTokenClient,
  KeycloakTokenResponse,
} from '../../keycloak/keycloak-token.client';
import { clientSettings, fakeSettings } from '../keycloak-settings.fixture';
import type { UpstreamProbe } from '../upstream.probe';
import { ProxyRoutesCheck } from './proxy-routes.check';

const token: KeycloakTokenResponse = {
  access_token: 'user',
  expires_in: 300,
  token_type: 'Bearer',
};

const route = (over: Partial<ApiRoute> & Pick<ApiRoute, 'prefix' | 'token'>): ApiRoute =>
  ({
    target: 'http://api:4000',
    roles: [],
    timeoutMs: 30000,
    bodyLimitBytes: 0,
    stripPrefix: true,
    websocket: false,
    ...over,
  }) as ApiRoute;

/** The shape of api-routes.example.json. */
const EXAMPLE = [
  route({ prefix: '/api/orders', token: 'exchange', audience: 'orders-api' }),
  route({ prefix: '/api/orders-as-user', token: 'user' }),
  route({ prefix: '/api/orders-as-bff', token: 'client' }),
  route({ prefix: '/api/orders-public', token: 'user-or-none', audience: 'orders-api' }),
  route({ prefix: '/api/status', token: 'none', target: 'http://api:4000/public' }),
];

const refusal = (error: string, error_description: string) =>
  new KeycloakResponseError('token', { status: 400, error, error_description }, undefined);

function setup(routes: ApiRoute[] = EXAMPLE) {
  const status: jest.MockedFunction<UpstreamProbe['status']> = jest.fn();
  const tokenExchange: jest.MockedFunction<KeycloakTokenClient['tokenExchange']> = jest.fn();
  const clientCredentialsGrant: jest.MockedFunction<KeycloakTokenClient['clientCredentialsGrant']> =
    jest.fn();
  status.mockResolvedValue(401);
  tokenExchange.mockResolvedValue({ access_token: 'exchanged', expires_in: 300 });
  clientCredentialsGrant.mockResolvedValue(token);
  const settings = fakeSettings();
  const sut = new ProxyRoutesCheck(
    { status },
    { tokenExchange, clientCredentialsGrant },
    settings,
    { realm: 'demo', clientId: 'bff' },
    { routes },
    { user: { username: 'alice', password: 'x' } },
  );
  return { sut, status, tokenExchange, clientCredentialsGrant, settings };
}

describe(ProxyRoutesCheck.name, () => {
  it('should skip without a routes file', async () => {
    const { sut, status } = setup([]);
    await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
      status: 'SKIP',
      found: 'API_ROUTES_FILE is not set',
    });
    expect(status).not.toHaveBeenCalled();
  });

  it('should pass the example routes, asking once per audience and once for the client token', async () => {
    const { sut, status, tokenExchange, clientCredentialsGrant } = setup();
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toEqual({
      status: 'PASS',
      found: '5 route(s): every target answers; orders-api available to alice',
    });
    expect(status).toHaveBeenCalledTimes(5);
    expect(status).toHaveBeenCalledWith('http://api:4000/public', 5000);
    expect(tokenExchange).toHaveBeenCalledTimes(1);
    expect(tokenExchange).toHaveBeenCalledWith('user', { audience: 'orders-api' });
    expect(clientCredentialsGrant).toHaveBeenCalledTimes(1);
  });

  it('should fail a target that does not answer', async () => {
    const { sut, status } = setup([route({ prefix: '/api/status', token: 'none' })]);
    status.mockRejectedValue(new Error('ECONNREFUSED'));
    await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
      status: 'FAIL',
      found: '[0] /api/status: http://api:4000 does not answer (ECONNREFUSED)',
      fix: "Start the API, or correct the route's target.",
    });
  });

  it('should fail an unavailable audience once, with the audience mapper command and the run-time code', async () => {
    const { sut, tokenExchange, settings } = setup();
    settings.lightweightAccessTokens.mockResolvedValue(true);
    tokenExchange.mockRejectedValue(
      refusal('invalid_request', 'Requested audience not available: orders-api'),
    );
    const outcome = await sut.run({ clientAuthenticated: true, userToken: token });
    expect(outcome).toEqual({
      status: 'FAIL',
      found:
        "[0] /api/orders: 'orders-api' is not available to alice's token of 'bff' (its access tokens are lightweight: see 'lightweight access tokens'); [3] /api/orders-public: 'orders-api' is not available to alice's token of 'bff' (its access tokens are lightweight: see 'lightweight access tokens')",
      fix: "Give the users a role of client 'orders-api', or add an Audience mapper for 'orders-api' to client 'bff'.",
      kcadm: [
        expect.stringMatching(/^kcadm\.sh create clients\/c-1\/protocol-mappers\/models -r demo /),
      ],
      code: 'AUDIENCE_NOT_AVAILABLE',
    });
    expect(tokenExchange).toHaveBeenCalledTimes(1);
  });

  it('should create a missing scope and add it to the client in one command line', async () => {
    const { sut, tokenExchange } = setup([
      route({ prefix: '/api/orders', token: 'exchange', audience: 'orders-api', scope: 'orders' }),
    ]);
    tokenExchange.mockRejectedValue(refusal('invalid_scope', 'Invalid scopes: orders'));
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toMatchObject({
      status: 'FAIL',
      found: "[0] /api/orders: scope 'orders' does not exist in realm 'demo'",
      code: 'INVALID_SCOPE',
      kcadm: [
        `kcadm.sh update clients/c-1/optional-client-scopes/$(kcadm.sh create client-scopes -r demo -s name=orders -s protocol=openid-connect -s 'attributes."include.in.token.scope"=true' -i) -r demo`,
      ],
    });
    expect(tokenExchange).toHaveBeenCalledWith('user', { audience: 'orders-api', scope: 'orders' });
  });

  it('should add an existing scope the client lacks as an optional scope', async () => {
    const { sut, tokenExchange, settings } = setup([
      route({ prefix: '/api/orders', token: 'exchange', audience: 'orders-api', scope: 'profile' }),
    ]);
    settings.client.mockResolvedValue(clientSettings({ defaultClientScopes: ['basic'] }));
    tokenExchange.mockRejectedValue(refusal('invalid_scope', 'Invalid scopes: profile'));
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toMatchObject({
      found: "[0] /api/orders: scope 'profile' is refused for client 'bff'",
      kcadm: ['kcadm.sh update clients/c-1/optional-client-scopes/s-profile -r demo'],
    });
  });

  it('should fail client routes when the client gets no client-credentials token', async () => {
    const { sut, clientCredentialsGrant } = setup([route({ prefix: '/api/bff', token: 'client' })]);
    clientCredentialsGrant.mockRejectedValue(refusal('unauthorized_client', 'Client not enabled'));
    await expect(sut.run({ clientAuthenticated: true })).resolves.toMatchObject({
      status: 'FAIL',
      found: expect.stringContaining('[0] /api/bff: no client-credentials token'),
    });
  });

  it('should say which audiences it could not check without a user', async () => {
    const { sut, tokenExchange } = setup();
    await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
      status: 'PASS',
      found:
        '5 route(s): every target answers; audiences orders-api not checked (set DOCTOR_USERNAME/DOCTOR_PASSWORD)',
    });
    expect(tokenExchange).not.toHaveBeenCalled();
  });
});

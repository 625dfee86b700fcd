import type { ApiRoute } from '../../config/api-route.entry';
import {
  AdminPermissionMissingError,
  type KeycloakClientSettings,
} from '../../keycloak/keycloak-admin.client';
import { KeycloakResponseError } from '../../keycloak/keycloak.errors';
import type {
  KeycloakExchangeResponse,
  KeycloakTokenClient,
  KeycloakTokenResponse,
} from '../../keycloak/keycloak-token.client';
import type { KeycloakSettings } from '../keycloak-settings';
import type { DoctorFindings } from './doctor-check';
import { TokenExchangeCheck } from './token-exchange.check';

const REFRESH = 'urn:ietf:params:oauth:token-type:refresh_token';
const serviceToken: KeycloakTokenResponse = {
  access_token: 'service',
  expires_in: 300,
  token_type: 'Bearer',
};
const userToken: KeycloakTokenResponse = { ...serviceToken, access_token: 'user' };
const exchanged: KeycloakExchangeResponse = { access_token: 'exchanged', expires_in: 300 };

const refusal = (error: string, error_description: string) =>
  new KeycloakResponseError('token', { status: 400, error, error_description }, undefined);
/** What Keycloak answers the probe when standard exchange is on. */
const standardOn = refusal('invalid_request', 'User session is not valid, new session is needed');

function setup(user?: { username: string; password: string }, routes: ApiRoute[] = []) {
  const tokenExchange: jest.MockedFunction<KeycloakTokenClient['tokenExchange']> = jest.fn();
  const client: jest.MockedFunction<KeycloakSettings['client']> = jest.fn();
  const lightweightAccessTokens: jest.MockedFunction<KeycloakSettings['lightweightAccessTokens']> =
    jest.fn();
  client.mockRejectedValue(new AdminPermissionMissingError('bff', undefined, ['view-clients']));
  lightweightAccessTokens.mockResolvedValue(undefined);
  const sut = new TokenExchangeCheck(
    { tokenExchange },
    { realm: 'demo', clientId: 'bff' },
    { user },
    { audiences: ['orders-api', 'billing'] },
    { routes },
    { client, lightweightAccessTokens },
  );
  return { sut, tokenExchange, client, lightweightAccessTokens };
}

const exchangeRoute = (audience: string): ApiRoute => ({
  prefix: `/api/${audience}`,
  target: 'http://api:4000',
  token: 'exchange',
  audience,
  roles: [],
  timeoutMs: 1000,
  bodyLimitBytes: 0,
  stripPrefix: true,
  websocket: false,
});

const off = (how: string) => ({
  status: 'FAIL',
  found: `Standard token exchange is off for client 'bff'${how}`,
  fix: 'Turn on "Standard token exchange" on client \'bff\' (attribute standard.token.exchange.enabled=true).',
  code: 'TOKEN_EXCHANGE_NOT_ENABLED',
});

describe(TokenExchangeCheck.name, () => {
  const withService: DoctorFindings = { clientAuthenticated: true, serviceToken };

  it('should skip without a service-account token', async () => {
    const { sut, tokenExchange } = setup();
    await expect(sut.run({ clientAuthenticated: true, userToken })).resolves.toEqual({
      status: 'SKIP',
      found: 'Needs a service-account token',
    });
    expect(tokenExchange).not.toHaveBeenCalled();
  });

  it('should probe with a refresh-token request only standard exchange refuses', async () => {
    const { sut, tokenExchange } = setup();
    tokenExchange.mockRejectedValue(standardOn);
    await sut.run(withService);
    expect(tokenExchange).toHaveBeenCalledWith('service', { requested_token_type: REFRESH });
  });

  it('should fail when Keycloak says standard exchange is not enabled', async () => {
    const { sut, tokenExchange } = setup();
    tokenExchange.mockRejectedValue(
      refusal(
        'unauthorized_client',
        'Standard token exchange is not enabled for the requested client',
      ),
    );
    await expect(sut.run(withService)).resolves.toEqual(off(''));
  });

  it.each([
    ['answers the probe', () => Promise.resolve(exchanged)],
    [
      'says the client may not exchange',
      () => Promise.reject(refusal('access_denied', 'Client not allowed to exchange')),
    ],
  ])('should fail, naming the legacy exchange, when Keycloak %s', async (_, answer) => {
    const { sut, tokenExchange } = setup();
    tokenExchange.mockImplementation(answer);
    await expect(sut.run(withService)).resolves.toEqual(
      off(' (the legacy token exchange answered instead)'),
    );
  });

  it('should report an unexpected refusal of the probe in its own words', async () => {
    const { sut, tokenExchange } = setup();
    tokenExchange.mockRejectedValue(refusal('invalid_client', 'Invalid client credentials'));
    await expect(sut.run(withService)).resolves.toEqual({
      status: 'FAIL',
      found:
        "Keycloak's token endpoint answered 400 (invalid_client: Invalid client credentials): Invalid client credentials",
    });
  });

  it.each([
    ['User session is not valid, new session is needed'],
    ['requested_token_type unsupported'],
  ])('should pass on %j, leaving the audiences unchecked without a user', async (description) => {
    const { sut, tokenExchange } = setup();
    tokenExchange.mockRejectedValue(refusal('invalid_request', description));
    await expect(sut.run(withService)).resolves.toEqual({
      status: 'PASS',
      found:
        'Standard token exchange is on; audiences (orders-api, billing) not checked: set DOCTOR_USERNAME/DOCTOR_PASSWORD to check them for a user',
    });
    expect(tokenExchange).toHaveBeenCalledTimes(1);
  });

  it("should pass when the user's token exchanges for every audience", async () => {
    const { sut, tokenExchange } = setup({ username: 'alice', password: 'x' });
    tokenExchange.mockRejectedValueOnce(standardOn).mockResolvedValue(exchanged);
    await expect(sut.run({ ...withService, userToken })).resolves.toEqual({
      status: 'PASS',
      found: 'Standard token exchange is on; audiences orders-api, billing available',
    });
    expect(tokenExchange.mock.calls.slice(1)).toEqual([
      ['user', { audience: 'orders-api' }],
      ['user', { audience: 'billing' }],
    ]);
  });

  it('should fail naming the user and each audience Keycloak refused', async () => {
    const { sut, tokenExchange } = setup({ username: 'alice', password: 'x' });
    tokenExchange
      .mockRejectedValueOnce(standardOn)
      .mockResolvedValueOnce(exchanged)
      .mockRejectedValueOnce(refusal('invalid_client', 'Audience not found'));
    await expect(sut.run({ ...withService, userToken })).resolves.toEqual({
      status: 'FAIL',
      found: 'Audience(s) not available to alice: billing',
      fix: 'Give the client (or the user) a role of the audience client, or add an audience mapper for it.',
      code: 'AUDIENCE_NOT_AVAILABLE',
    });
  });

  it('should add the kcadm.sh audience mapper when the client can be read, and name lightweight tokens', async () => {
    const { sut, tokenExchange, client, lightweightAccessTokens } = setup({
      username: 'alice',
      password: 'x',
    });
    client.mockResolvedValue({ id: 'c-1' } as KeycloakClientSettings);
    lightweightAccessTokens.mockResolvedValue(true);
    tokenExchange
      .mockRejectedValueOnce(standardOn)
      .mockRejectedValue(refusal('invalid_request', 'Requested audience not available: x'));
    await expect(sut.run({ ...withService, userToken })).resolves.toMatchObject({
      status: 'FAIL',
      found:
        "Audience(s) not available to alice: orders-api, billing (the client's access tokens are lightweight: see 'lightweight access tokens')",
      kcadm: [
        expect.stringMatching(
          /^kcadm\.sh create clients\/c-1\/protocol-mappers\/models -r demo .*orders-api/,
        ),
        expect.stringMatching(/included\.client\.audience"=billing/),
      ],
    });
  });

  it('should leave the audiences of proxy routes to the proxy routes row', async () => {
    const { sut, tokenExchange } = setup({ username: 'alice', password: 'x' }, [
      exchangeRoute('orders-api'),
    ]);
    tokenExchange.mockRejectedValueOnce(standardOn).mockResolvedValue(exchanged);
    await expect(sut.run({ ...withService, userToken })).resolves.toEqual({
      status: 'PASS',
      found:
        'Standard token exchange is on; audiences billing available; orders-api checked with the proxy routes',
    });
    expect(tokenExchange.mock.calls.slice(1)).toEqual([['user', { audience: 'billing' }]]);
  });

  it('should pass without asking for any audience when the routes cover them all', async () => {
    const { sut, tokenExchange } = setup({ username: 'alice', password: 'x' }, [
      exchangeRoute('orders-api'),
      exchangeRoute('billing'),
    ]);
    tokenExchange.mockRejectedValueOnce(standardOn);
    await expect(sut.run({ ...withService, userToken })).resolves.toEqual({
      status: 'PASS',
      found: 'Standard token exchange is on; orders-api, billing checked with the proxy routes',
    });
    expect(tokenExchange).toHaveBeenCalledTimes(1);
  });
});

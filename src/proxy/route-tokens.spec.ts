import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { ApiRoute } from '../config/api-route.entry';
import type { KeycloakConfig } from '../config/keycloak.config';
import { automock } from '../../test/utils/automock';
import { ManualClock } from '../../test/utils/manual-clock';
import { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';
import { RouteTokenError } from './proxy.errors';
import { RouteTokens } from './route-tokens';

const base = {
  prefix: '/api/orders',
  target: 'http://orders:4000',
  roles: [],
  timeoutMs: 1000,
  bodyLimitBytes: 1000,
  stripPrefix: true,
  websocket: false,
};
const exchange: ApiRoute = { ...base, token: 'exchange', audience: 'orders-api' };

function caller(token: string, extra: Partial<AuthenticatedUser> = {}): AuthenticatedUser {
  return {
    claims: { sub: 'alice', iss: 'iss', exp: 2_000_000_000, sid: 'sid-1' },
    roles: [],
    accessToken: token,
    ...extra,
  };
}

function setup() {
  let issued = 0;
  const tokenExchange = jest.fn(() =>
    Promise.resolve({ access_token: `exchanged-${++issued}`, expires_in: 300 }),
  );
  const clientCredentialsGrant = jest.fn(() =>
    Promise.resolve({ access_token: `client-${++issued}`, expires_in: 300, token_type: 'Bearer' }),
  );
  const sut = new RouteTokens(
    automock(KeycloakTokenClient, { tokenExchange, clientCredentialsGrant }),
    { routes: [], tokenCacheSize: 100 },
    { clientId: 'bff' } as KeycloakConfig,
    new ManualClock(0),
  );
  return { sut, tokenExchange, clientCredentialsGrant };
}

describe(RouteTokens.name, () => {
  it('should exchange the caller’s token for the route’s audience and scope, once per caller', async () => {
    const { sut, tokenExchange } = setup();
    const route: ApiRoute = { ...exchange, scope: 'orders:read' };
    expect(await sut.tokenFor(route, caller('alice-1'))).toEqual({
      token: 'exchanged-1',
      cacheKey: expect.any(String),
    });
    expect(tokenExchange).toHaveBeenCalledWith('alice-1', {
      audience: 'orders-api',
      scope: 'orders:read',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect((await sut.tokenFor(route, caller('alice-1')))?.token).toBe('exchanged-1');
    expect((await sut.tokenFor(route, caller('bob-1')))?.token).toBe('exchanged-2');
    expect(tokenExchange).toHaveBeenCalledTimes(2);
  });

  it('should keep a session’s exchanged token across its refreshed access tokens', async () => {
    const { sut, tokenExchange } = setup();
    await sut.tokenFor(exchange, caller('before-refresh', { viaSession: true }));
    const after = await sut.tokenFor(exchange, caller('after-refresh', { viaSession: true }));
    expect(after?.token).toBe('exchanged-1');
    expect(tokenExchange).toHaveBeenCalledTimes(1);
  });

  it('should give the caller’s own token, the client token or none as the policy says', async () => {
    const { sut, clientCredentialsGrant } = setup();
    expect(await sut.tokenFor({ ...base, token: 'user' }, caller('mine'))).toEqual({
      token: 'mine',
    });
    expect(await sut.tokenFor({ ...base, token: 'user-or-none' }, caller('mine'))).toEqual({
      token: 'mine',
    });
    expect(await sut.tokenFor({ ...base, token: 'user-or-none' }, undefined)).toBeUndefined();
    expect(await sut.tokenFor({ ...base, token: 'none' }, caller('mine'))).toBeUndefined();
    const client = await sut.tokenFor({ ...base, token: 'client' }, caller('mine'));
    await sut.tokenFor({ ...base, token: 'client' }, caller('other'));
    expect(client?.token).toBe('client-1');
    expect(clientCredentialsGrant).toHaveBeenCalledTimes(1);
  });

  it('should exchange again after the API refused the cached token', async () => {
    const { sut } = setup();
    const first = await sut.tokenFor(exchange, caller('alice-1'));
    sut.forget(first ?? { token: '' });
    expect((await sut.tokenFor(exchange, caller('alice-1')))?.token).toBe('exchanged-2');
  });

  it('should answer a refused exchange as 502 with the exchange’s own code', async () => {
    const { sut, tokenExchange } = setup();
    tokenExchange.mockRejectedValueOnce(
      new KeycloakResponseError(
        'token',
        {
          status: 400,
          error: 'invalid_request',
          error_description: 'Requested audience not available: orders-api',
        },
        undefined,
      ),
    );
    const refusal = sut.tokenFor(exchange, caller('bob'));
    await expect(refusal).rejects.toBeInstanceOf(RouteTokenError);
    await expect(refusal).rejects.toMatchObject({ status: 502, code: 'AUDIENCE_NOT_AVAILABLE' });
  });
});

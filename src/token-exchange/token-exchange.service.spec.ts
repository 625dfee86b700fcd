import { automock } from '../../test/utils/automock';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';
import {
  type KeycloakExchangeResponse,
  KeycloakTokenClient,
} from '../keycloak/keycloak-token.client';
import type { TokenExchangeDto } from './dto/token-exchange.dto';
import { TokenExchangeService } from './token-exchange.service';

const URN = 'urn:ietf:params:oauth:token-type:';

const alice: AuthenticatedUser = {
  claims: { sub: 'alice-id', iss: 'http://kc/realms/demo', exp: 0 },
  roles: ['admin', 'user'],
  accessToken: 'alice-token',
};
const bob: AuthenticatedUser = { ...alice, roles: ['user'], accessToken: 'bob-token' };

function setup(
  config: { impersonation?: boolean; issuers?: string[] } = {},
  answer: Partial<KeycloakExchangeResponse> = {},
) {
  const tokenExchange = jest.fn<
    Promise<KeycloakExchangeResponse>,
    [string, Record<string, string | string[]>]
  >(() =>
    Promise.resolve({
      access_token: 'new-token',
      expires_in: 300,
      token_type: 'Bearer',
      issued_token_type: `${URN}access_token`,
      session_state: 'sid',
      refresh_expires_in: 0,
      ...answer,
    }),
  );
  const service = new TokenExchangeService(
    automock(KeycloakTokenClient, { tokenExchange }),
    {
      audiences: ['orders-api', 'billing'],
      impersonation: { enabled: config.impersonation ?? false, role: 'admin' },
      externalIssuers: config.issuers ?? [],
    },
    { clientId: 'bff' } as never,
  );
  return { service, tokenExchange };
}

const refusal = async (promise: Promise<unknown>) => {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err as { status: number; code: string; extensions: { rule?: string } };
};

describe(TokenExchangeService.name, () => {
  it("should exchange the caller's token, sending each audience and the URN token type", async () => {
    const { service, tokenExchange } = setup();
    const out = await service.exchange(alice, {
      audience: ['orders-api', 'billing'],
      scope: 'openid',
      requested_token_type: 'refresh_token',
    });
    expect(tokenExchange).toHaveBeenCalledWith('alice-token', {
      audience: ['orders-api', 'billing'],
      scope: 'openid',
      requested_token_type: `${URN}refresh_token`,
    });
    // Keycloak's extras (session_state, refresh_expires_in) are not passed on.
    expect(out).toEqual({
      access_token: 'new-token',
      issued_token_type: `${URN}access_token`,
      token_type: 'Bearer',
      expires_in: 300,
    });
  });

  it.each<
    [
      string,
      TokenExchangeDto,
      { impersonation?: boolean; issuers?: string[] },
      AuthenticatedUser,
      string,
    ]
  >([
    [
      'a session (cookie) caller',
      { audience: ['orders-api'] },
      {},
      { ...alice, viaSession: true },
      'session-caller',
    ],
    ['no audience at all', {}, {}, alice, 'audience-required'],
    [
      'a token for a provider not listed, next to an allowed one',
      { subject_issuer: 'partner', subject_token: 't', requested_issuer: 'evil' },
      { issuers: ['partner'] },
      alice,
      'external-issuer-allow-list',
    ],
    [
      'an audience outside the allow-list',
      { audience: ['orders-api', 'admin-api'] },
      {},
      alice,
      'audience-allow-list',
    ],
    [
      'impersonation while it is off',
      { requested_subject: 'bob' },
      {},
      alice,
      'impersonation-disabled',
    ],
    [
      'impersonation without the role',
      { requested_subject: 'alice' },
      { impersonation: true },
      bob,
      'impersonation-role',
    ],
    [
      'an external token while that is off',
      { subject_issuer: 'partner', subject_token: 't' },
      {},
      alice,
      'external-exchange-disabled',
    ],
    [
      'an external token from another provider',
      { subject_issuer: 'evil', subject_token: 't' },
      { issuers: ['partner'] },
      alice,
      'external-issuer-allow-list',
    ],
    [
      'a token for a provider not listed',
      { requested_issuer: 'evil' },
      { issuers: ['partner'] },
      alice,
      'external-issuer-allow-list',
    ],
  ])('should refuse %s before calling Keycloak', async (_what, body, config, user, rule) => {
    const { service, tokenExchange } = setup(config);
    const err = await refusal(service.exchange(user, body));
    expect(err).toMatchObject({
      status: 403,
      code: 'TOKEN_EXCHANGE_FORBIDDEN',
      extensions: { rule },
    });
    expect(tokenExchange).not.toHaveBeenCalled();
  });

  it('should let an admin impersonate when it is on', async () => {
    const { service, tokenExchange } = setup({ impersonation: true });
    await service.exchange(alice, { requested_subject: 'bob' });
    expect(tokenExchange).toHaveBeenCalledWith('alice-token', {
      requested_subject: 'bob',
      requested_token_type: `${URN}access_token`,
    });
  });

  it('should send an external token as the subject, with its issuer and type', async () => {
    const { service, tokenExchange } = setup({ issuers: ['partner'] });
    await service.exchange(undefined, {
      subject_issuer: 'partner',
      subject_token: 'partner-token',
    });
    expect(tokenExchange).toHaveBeenCalledWith('partner-token', {
      subject_issuer: 'partner',
      subject_token_type: `${URN}access_token`,
      requested_token_type: `${URN}access_token`,
    });
  });

  it('should ask for a token of an allowed provider with the caller token', async () => {
    const { service, tokenExchange } = setup({ issuers: ['partner'] });
    await service.exchange(bob, { requested_issuer: 'partner' });
    expect(tokenExchange).toHaveBeenCalledWith('bob-token', {
      requested_issuer: 'partner',
      requested_token_type: `${URN}access_token`,
    });
  });

  it('should demand a bearer token when there is no external one', async () => {
    const { service, tokenExchange } = setup();
    const err = await refusal(service.exchange(undefined, {}));
    expect(err).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });
    expect(tokenExchange).not.toHaveBeenCalled();
  });

  it("should map Keycloak's refusal", async () => {
    const { service, tokenExchange } = setup();
    tokenExchange.mockRejectedValueOnce(
      new KeycloakResponseError(
        'token',
        {
          status: 400,
          error: 'invalid_request',
          error_description: 'Requested audience not available: billing',
        },
        undefined,
      ),
    );
    const err = await refusal(service.exchange(alice, { audience: ['billing'] }));
    expect(err).toMatchObject({ status: 400, code: 'AUDIENCE_NOT_AVAILABLE' });
  });

  it('should keep a refresh token and scope when Keycloak issues them', async () => {
    const { service } = setup({}, { refresh_token: 'r', scope: 'openid' });
    await expect(service.exchange(alice, { audience: ['orders-api'] })).resolves.toMatchObject({
      refresh_token: 'r',
      scope: 'openid',
    });
  });

  it('should give a stored external token (no token_type from Keycloak) a Bearer type', async () => {
    const { service } = setup({ issuers: ['partner'] }, { token_type: undefined, expires_in: 0 });
    await expect(service.exchange(alice, { requested_issuer: 'partner' })).resolves.toMatchObject({
      token_type: 'Bearer',
      issued_token_type: `${URN}access_token`,
    });
  });
});

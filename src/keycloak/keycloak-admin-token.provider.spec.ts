import type { HttpService } from '@nestjs/axios';
import type { AdminConfig } from '../config/admin.config';
import type { KeycloakConfig } from '../config/keycloak.config';
import { ManualClock } from '../../test/utils/manual-clock';
import { KeycloakAdminTokenProvider } from './keycloak-admin-token.provider';
import type { KeycloakTokenClient, KeycloakTokenResponse } from './keycloak-token.client';
import { KeycloakResponseError } from './keycloak.errors';

function setup(expiresIn = 300, skew = 30) {
  const clock = new ManualClock(0);
  let issued = 0;
  const clientCredentialsGrant = jest.fn<Promise<KeycloakTokenResponse>, []>(() =>
    Promise.resolve({
      access_token: `token-${++issued}`,
      expires_in: expiresIn,
      token_type: 'Bearer',
    }),
  );
  const tokens = { clientCredentialsGrant } as unknown as KeycloakTokenClient;
  const sut = new KeycloakAdminTokenProvider(
    tokens,
    {} as HttpService,
    { tokenExpirySkewSec: skew } as AdminConfig,
    { clientId: 'bff' } as KeycloakConfig,
    clock,
  );
  return { sut, clientCredentialsGrant, advance: (ms: number) => clock.advance(ms) };
}

describe(KeycloakAdminTokenProvider.name, () => {
  it('should reuse the token until shortly before it expires', async () => {
    const { sut, clientCredentialsGrant, advance } = setup(300, 30);
    expect(await sut.getToken()).toBe('token-1');
    advance(269_000);
    expect(await sut.getToken()).toBe('token-1');
    advance(1000);
    expect(await sut.getToken()).toBe('token-2');
    expect(clientCredentialsGrant).toHaveBeenCalledTimes(2);
  });

  it('should keep a short-lived token for at least half its life', async () => {
    const { sut, advance } = setup(20, 30);
    await sut.getToken();
    advance(9_000);
    expect(await sut.getToken()).toBe('token-1');
    advance(1_000);
    expect(await sut.getToken()).toBe('token-2');
  });

  it('should share one grant among concurrent callers', async () => {
    const { sut, clientCredentialsGrant } = setup();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => sut.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(clientCredentialsGrant).toHaveBeenCalledTimes(1);
  });

  it('should fetch a new token after the current one is invalidated, but not for a stale one', async () => {
    const { sut } = setup();
    await sut.getToken();
    sut.invalidate('token-0');
    expect(await sut.getToken()).toBe('token-1');
    sut.invalidate('token-1');
    expect(await sut.getToken()).toBe('token-2');
  });

  it('should name a disabled service account', async () => {
    const { sut, clientCredentialsGrant } = setup();
    clientCredentialsGrant.mockRejectedValueOnce(
      new KeycloakResponseError(
        'token',
        {
          status: 400,
          error: 'unauthorized_client',
          error_description: 'Client not enabled to retrieve service account',
        },
        undefined,
      ),
    );
    await expect(sut.getToken()).rejects.toMatchObject({ code: 'BFF_CLIENT_MISCONFIGURED' });
    expect(await sut.getToken()).toBe('token-1');
  });
});

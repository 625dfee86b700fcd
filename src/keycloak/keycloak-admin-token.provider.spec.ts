import { HttpService } from '@nestjs/axios';
import axios, { type AxiosResponse } from 'axios';
import type { AdminConfig } from '../config/admin.config';
import type { KeycloakConfig } from '../config/keycloak.config';
import { automock } from '../../test/utils/automock';
import { ManualClock } from '../../test/utils/manual-clock';
import { KeycloakAdminTokenProvider } from './keycloak-admin-token.provider';
import { KeycloakTokenClient, type KeycloakTokenResponse } from './keycloak-token.client';
import { KeycloakResponseError } from './keycloak.errors';

/** A real HttpService whose requests fail unless the spec mocked the axios method called. */
function http(methods: Partial<Record<'get' | 'post', jest.Mock>>): HttpService {
  const unmocked = () => Promise.reject(new Error('unmocked request'));
  return new HttpService(Object.assign(axios.create({ adapter: unmocked }), methods));
}

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
  const tokens = automock(KeycloakTokenClient, { clientCredentialsGrant });
  const sut = new KeycloakAdminTokenProvider(
    tokens,
    http({}),
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

  describe('in master-admin mode', () => {
    function masterAdmin(refusal: { status: number; error: string; error_description: string }) {
      const post = jest.fn<Promise<AxiosResponse<KeycloakTokenResponse>>, [string, string]>(() =>
        Promise.reject(new KeycloakResponseError('token', refusal, undefined)),
      );
      const sut = new KeycloakAdminTokenProvider(
        automock(KeycloakTokenClient),
        http({ post }),
        {
          tokenExpirySkewSec: 30,
          masterAdmin: { username: 'admin', password: 'wrong' },
        } as AdminConfig,
        { clientId: 'bff', url: 'http://kc' } as KeycloakConfig,
        new ManualClock(0),
      );
      return { sut, post };
    }

    it('should blame the admin credentials, not the client secret, for a refused admin login', async () => {
      const { sut, post } = masterAdmin({
        status: 401,
        error: 'invalid_grant',
        error_description: 'Invalid user credentials',
      });
      const refusal = sut.getToken();
      // Not INVALID_CREDENTIALS 401: the caller's own login is not what failed.
      await expect(refusal).rejects.toMatchObject({
        status: 502,
        code: 'BFF_CLIENT_MISCONFIGURED',
        detail: expect.stringContaining('master-realm admin login') as string,
        hint: expect.stringContaining('KEYCLOAK_ADMIN_PASSWORD') as string,
      });
      await expect(refusal).rejects.toMatchObject({
        hint: expect.not.stringContaining('KEYCLOAK_CLIENT_SECRET') as string,
      });
      expect(post).toHaveBeenCalledWith(
        'http://kc/realms/master/protocol/openid-connect/token',
        'grant_type=password&client_id=admin-cli&username=admin&password=wrong',
        expect.anything(),
      );
    });

    it("should not name the BFF's client when admin-cli itself is refused", async () => {
      const { sut } = masterAdmin({
        status: 401,
        error: 'unauthorized_client',
        error_description: 'Invalid client or Invalid client credentials',
      });
      await expect(sut.getToken()).rejects.toMatchObject({
        code: 'BFF_CLIENT_MISCONFIGURED',
        hint: expect.not.stringContaining("client 'bff'") as string,
      });
    });
  });
});

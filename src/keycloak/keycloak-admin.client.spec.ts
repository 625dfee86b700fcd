import { HttpService } from '@nestjs/axios';
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { automock } from '../../test/utils/automock';
import type { KeycloakConfig } from '../config/keycloak.config';
import { KeycloakAdminTokenProvider } from './keycloak-admin-token.provider';
import { KeycloakAdminClient } from './keycloak-admin.client';

function failure(status: number): AxiosError {
  const config = { headers: new AxiosHeaders() } as InternalAxiosRequestConfig;
  return new AxiosError(
    String(status),
    'ERR_BAD_REQUEST',
    config,
    {},
    {
      status,
      statusText: '',
      data: { error: 'x' },
      headers: {},
      config,
    },
  );
}

/** A real HttpService whose requests fail unless the spec mocked the axios method called. */
function http(methods: Partial<Record<'get' | 'post', jest.Mock>>): HttpService {
  const unmocked = () => Promise.reject(new Error('unmocked request'));
  return new HttpService(Object.assign(axios.create({ adapter: unmocked }), methods));
}

function setup() {
  const get = jest.fn<Promise<AxiosResponse>, [string, { headers: Record<string, string> }]>();
  let n = 0;
  const tokens = automock(KeycloakAdminTokenProvider, {
    getToken: () => Promise.resolve(`t${++n}`),
    invalidate: () => undefined,
  });
  const sut = new KeycloakAdminClient(http({ get }), tokens, {
    url: 'http://kc',
    realm: 'demo',
    clientId: 'bff',
  } as KeycloakConfig);
  return { sut, get, tokens };
}

const ok = (data: unknown) => ({ data }) as AxiosResponse;

describe(KeycloakAdminClient.name, () => {
  it('should call the Admin API with the cached token', async () => {
    const { sut, get } = setup();
    get.mockResolvedValue(ok({ id: 'u1', username: 'alice' }));
    await expect(sut.getUser('u1')).resolves.toEqual({ id: 'u1', username: 'alice' });
    expect(get).toHaveBeenCalledWith('http://kc/admin/realms/demo/users/u1', {
      headers: { Authorization: 'Bearer t1' },
    });
  });

  it('should retry exactly once with a fresh token after a 401', async () => {
    const { sut, get, tokens } = setup();
    get.mockRejectedValueOnce(failure(401)).mockResolvedValueOnce(ok(7));
    await expect(sut.countUsers({})).resolves.toBe(7);
    expect(tokens.invalidate).toHaveBeenCalledWith('t1');
    expect(get).toHaveBeenCalledTimes(2);
    expect(get.mock.calls[1]?.[1].headers.Authorization).toBe('Bearer t2');
  });

  it('should give up after the second 401', async () => {
    const { sut, get } = setup();
    get.mockRejectedValue(failure(401));
    await expect(sut.countUsers({})).rejects.toMatchObject({
      code: 'IDP_ERROR',
      upstream: { status: 401 },
    });
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('should name a 403 ADMIN_PERMISSION_MISSING, naming the service account', async () => {
    const { sut, get } = setup();
    get.mockRejectedValue(failure(403));
    await expect(sut.listUsers({ first: 0, max: 1 })).rejects.toMatchObject({
      status: 502,
      code: 'ADMIN_PERMISSION_MISSING',
      hint: expect.stringContaining('service-account-bff'),
    });
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('should name a 404 USER_NOT_FOUND', async () => {
    const { sut, get } = setup();
    get.mockRejectedValue(failure(404));
    await expect(sut.getUser('u9')).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });

  it("should read the realm's settings, with defaults for what Keycloak leaves out", async () => {
    const { sut, get } = setup();
    get.mockResolvedValue(
      ok({ realm: 'demo', accessTokenLifespan: 300, ssoSessionIdleTimeout: 1800, extra: 1 }),
    );
    await expect(sut.getRealmSettings()).resolves.toEqual({
      realm: 'demo',
      accessTokenLifespan: 300,
      ssoSessionIdleTimeout: 1800,
      ssoSessionMaxLifespan: 0,
      revokeRefreshToken: false,
      refreshTokenMaxReuse: 0,
      attributes: {},
    });
    expect(get).toHaveBeenCalledWith('http://kc/admin/realms/demo', {
      headers: { Authorization: 'Bearer t1' },
    });
  });

  it('should take the public fields Keycloak answers without view-realm as a refusal naming view-realm', async () => {
    const { sut, get } = setup();
    get.mockResolvedValue(ok({ realm: 'demo', displayName: 'Demo' }));
    await expect(sut.getRealmSettings()).rejects.toMatchObject({
      code: 'ADMIN_PERMISSION_MISSING',
      roles: ['view-realm'],
      hint: expect.stringContaining('view-realm to service-account-bff'),
    });
  });

  it('should find a client by its exact client id and never keep its secret', async () => {
    const { sut, get } = setup();
    get.mockResolvedValue(
      ok([{ id: 'uuid-1', clientId: 'bff', secret: 's3cret', redirectUris: ['http://a/*'] }]),
    );
    const client = await sut.findClient('bff');
    expect(client).toEqual({
      id: 'uuid-1',
      clientId: 'bff',
      standardFlowEnabled: false,
      frontchannelLogout: false,
      redirectUris: ['http://a/*'],
      attributes: {},
      defaultClientScopes: [],
      optionalClientScopes: [],
    });
    expect(JSON.stringify(client)).not.toContain('s3cret');
    expect(get).toHaveBeenCalledWith('http://kc/admin/realms/demo/clients', {
      headers: { Authorization: 'Bearer t1' },
      params: { clientId: 'bff', search: false },
    });
  });

  it('should find no client in an empty list', async () => {
    const { sut, get } = setup();
    get.mockResolvedValue(ok([]));
    await expect(sut.findClient('bff')).resolves.toBeUndefined();
  });

  it('should name view-clients when the client scopes are refused', async () => {
    const { sut, get } = setup();
    get.mockRejectedValue(failure(403));
    await expect(sut.listClientScopes()).rejects.toMatchObject({
      code: 'ADMIN_PERMISSION_MISSING',
      roles: ['view-clients'],
    });
  });

  it('should list client scopes by id and name', async () => {
    const { sut, get } = setup();
    get.mockResolvedValue(ok([{ id: 's1', name: 'basic', protocol: 'openid-connect' }]));
    await expect(sut.listClientScopes()).resolves.toEqual([{ id: 's1', name: 'basic' }]);
  });
});

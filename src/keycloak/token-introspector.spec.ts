import { HttpService } from '@nestjs/axios';
import axios, { type AxiosResponse } from 'axios';
import { automock } from '../../test/utils/automock';
import type { KeycloakConfig } from '../config/keycloak.config';
import { OidcDiscoveryService } from './oidc-discovery.service';
import { RealmTokenVerifier } from './realm-token.verifier';
import { TokenIntrospector } from './token-introspector';

const ENDPOINT = 'http://kc/realms/demo/protocol/openid-connect/token/introspect';

type PostArgs = [string, string, { headers: Record<string, string> }];

function setup(answer: unknown) {
  const post = jest.fn<Promise<AxiosResponse>, PostArgs>(() =>
    Promise.resolve({
      status: 200,
      data: answer,
      headers: { 'content-type': 'application/json' },
    } as unknown as AxiosResponse),
  );
  const unmocked = () => Promise.reject(new Error('unmocked request'));
  const http = new HttpService(Object.assign(axios.create({ adapter: unmocked }), { post }));
  const discovery = automock(OidcDiscoveryService, {
    getEndpoints: () => Promise.resolve({ introspection: ENDPOINT } as never),
  });
  const verify = jest.fn(() => Promise.resolve({ sub: 'alice', realm_access: { roles: ['a'] } }));
  const verifier = automock(RealmTokenVerifier, { verify });
  const sut = new TokenIntrospector(http, discovery, verifier, {
    clientId: 'bff',
    clientSecret: 's3cret',
  } as KeycloakConfig);
  return { sut, post, verify };
}

describe(TokenIntrospector.name, () => {
  it("should ask the realm's introspection endpoint as the BFF's confidential client, for a JWT", async () => {
    const { sut, post } = setup({ active: false });

    await sut.introspect('tok');

    const [url, form, options] = post.mock.calls[0] ?? [];
    expect(url).toBe(ENDPOINT);
    expect(Object.fromEntries(new URLSearchParams(form))).toEqual({
      token: 'tok',
      token_type_hint: 'access_token',
      client_id: 'bff',
      client_secret: 's3cret',
    });
    expect(options?.headers).toMatchObject({
      Accept: 'application/jwt',
      'Content-Type': 'application/x-www-form-urlencoded',
    });
  });

  it('should report an inactive token, ignoring the jwt Keycloak adds even then', async () => {
    const { sut, verify } = setup({ active: false, jwt: 'a.b.c' });

    await expect(sut.introspect('tok')).resolves.toEqual({ active: false, reason: undefined });
    expect(verify).not.toHaveBeenCalled();
  });

  it("should take an active token's claims from the signed jwt, verified as a realm access token", async () => {
    const { sut, verify } = setup({ active: true, jwt: 'a.b.c', sub: 'unsigned' });

    await expect(sut.introspect('tok')).resolves.toEqual({
      active: true,
      claims: { sub: 'alice', realm_access: { roles: ['a'] } },
    });
    expect(verify).toHaveBeenCalledWith('a.b.c', 'access');
  });

  it("should take the plain JSON answer's claims when there is no jwt, without the answer's own members", async () => {
    const { sut } = setup({
      active: true,
      sub: 'alice',
      aud: 'bff',
      client_id: 'bff-light',
      username: 'alice',
      token_type: 'Bearer',
    });

    await expect(sut.introspect('tok')).resolves.toEqual({
      active: true,
      claims: { sub: 'alice', aud: 'bff' },
    });
  });

  it('should refuse an answer without active as IDP_ERROR, never as an answer', async () => {
    const { sut } = setup('<html>maintenance</html>');

    await expect(sut.introspect('tok')).rejects.toMatchObject({
      code: 'IDP_ERROR',
      status: 502,
    });
  });
});

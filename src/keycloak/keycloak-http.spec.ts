import type { AxiosResponse } from 'axios';
import {
  type AnswerShape,
  DISCOVERY_DOCUMENT,
  EXCHANGE_RESPONSE,
  JWK_SET,
  NO_CONTENT,
  TOKEN_RESPONSE,
  USER_COUNT,
  USER_LIST,
  USER_REPRESENTATION,
  USERINFO,
} from './keycloak-answers';
import { callKeycloak, type KeycloakCall } from './keycloak-http';
import { IdpAnswerInvalidError } from './keycloak.errors';

/** An answer as axios hands it over: JSON parsed when it parses, the text otherwise. */
function answer(status: number, data: unknown, contentType = 'application/json'): AxiosResponse {
  return { status, data, headers: { 'content-type': contentType } } as unknown as AxiosResponse;
}

const MAINTENANCE = '<html><body><h1>Down for maintenance</h1></body></html>';
const TRUNCATED = '{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","expires_in":30';

/** What a WAF, a maintenance page or a broken proxy has answered in place of Keycloak. */
const GARBAGE: [string, AxiosResponse][] = [
  ['an HTML maintenance page', answer(200, MAINTENANCE, 'text/html; charset=utf-8')],
  ['truncated JSON', answer(200, TRUNCATED)],
  ['[1,2,3]', answer(200, [1, 2, 3])],
  ['{"access_token":123}', answer(200, { access_token: 123 })],
  ['null', answer(200, null)],
  ['an empty body', answer(200, '')],
];

const SHAPES: [string, AnswerShape<unknown>][] = [
  ['token response', TOKEN_RESPONSE],
  ['token-exchange response', EXCHANGE_RESPONSE],
  ['userinfo', USERINFO],
  ['user', USER_REPRESENTATION],
  ['user list', USER_LIST],
  ['user count', USER_COUNT],
  ['discovery document', DISCOVERY_DOCUMENT],
  ['JWK set', JWK_SET],
];

function call<T>(shape: AnswerShape<T>, status?: number): KeycloakCall<T> {
  return { endpoint: 'token', operation: 'password grant', answer: shape, status };
}

describe(callKeycloak.name, () => {
  describe.each(SHAPES)('a %s', (_name, shape) => {
    it.each(GARBAGE)(
      'should refuse %s with 502 IDP_ERROR naming the operation',
      async (_what, response) => {
        const sut = callKeycloak(call(shape), () => Promise.resolve(response));
        await expect(sut).rejects.toBeInstanceOf(IdpAnswerInvalidError);
        await expect(sut).rejects.toMatchObject({
          status: 502,
          code: 'IDP_ERROR',
          upstream: { status: 200 },
          detail: expect.stringContaining(
            `to the password grant (token endpoint, HTTP 200): expected ${shape.name}; `,
          ),
        });
      },
    );
  });

  it('should say what was wrong with each field, never its value', async () => {
    const sut = callKeycloak(call(TOKEN_RESPONSE), () =>
      Promise.resolve(answer(200, { access_token: 123, refresh_token: 'secret-refresh-token' })),
    );
    await expect(sut).rejects.toMatchObject({
      detail:
        'Unusable answer from Keycloak to the password grant (token endpoint, HTTP 200): expected a token response; access_token is a number, not a non-empty string; expires_in is missing; token_type is missing',
    });
  });

  it('should name an HTML page by its content type and size, not its content', async () => {
    const sut = callKeycloak(call(TOKEN_RESPONSE), () => Promise.resolve(GARBAGE[0]![1]));
    await expect(sut).rejects.toMatchObject({
      detail: expect.stringMatching(
        /expected a token response; the body is text\/html text, not JSON \(\d+ bytes\)$/,
      ),
    });
  });

  it('should call truncated JSON truncated, without quoting the token in it', async () => {
    const sut = callKeycloak(call(TOKEN_RESPONSE), () => Promise.resolve(GARBAGE[1]![1]));
    await expect(sut).rejects.toMatchObject({
      detail: expect.stringContaining('the body is application/json that does not parse'),
    });
    await expect(sut).rejects.not.toMatchObject({ detail: expect.stringContaining('eyJ') });
  });

  it('should name the item of a list that is wrong', async () => {
    const users = [{ id: 'u1', username: 'alice' }, { id: 'u2' }];
    const sut = callKeycloak(call(USER_LIST), () => Promise.resolve(answer(200, users)));
    await expect(sut).rejects.toMatchObject({
      detail: expect.stringContaining('expected a list of users; item 1: username is missing'),
    });
  });

  it('should hand over an answer of the right shape as it came', async () => {
    const tokens = { access_token: 'a', expires_in: 300, token_type: 'Bearer', extra: 1 };
    await expect(
      callKeycloak(call(TOKEN_RESPONSE), () => Promise.resolve(answer(200, tokens))),
    ).resolves.toBe(tokens);
    await expect(
      callKeycloak(call(USER_COUNT), () => Promise.resolve(answer(200, 0))),
    ).resolves.toBe(0);
  });

  it('should accept only the status that means success when the call names one', async () => {
    const logout = call(NO_CONTENT, 204);
    await expect(callKeycloak(logout, () => Promise.resolve(answer(204, '')))).resolves.toBe('');
    await expect(
      callKeycloak(logout, () => Promise.resolve(answer(200, MAINTENANCE, 'text/html'))),
    ).rejects.toMatchObject({
      code: 'IDP_ERROR',
      detail: expect.stringContaining('expected status 204, the status of its success; got 200'),
    });
  });

  it('should refuse discovery endpoints that are not http(s) URLs', async () => {
    const realm = 'http://kc/realms/demo';
    const document = {
      issuer: realm,
      authorization_endpoint: `${realm}/auth`,
      token_endpoint: '<a href=x>',
      userinfo_endpoint: 'javascript:alert(1)',
      jwks_uri: `${realm}/certs`,
    };
    await expect(
      callKeycloak(call(DISCOVERY_DOCUMENT), () => Promise.resolve(answer(200, document))),
    ).rejects.toMatchObject({
      detail: expect.stringContaining(
        'token_endpoint is not an http(s) URL; userinfo_endpoint is not an http(s) URL',
      ),
    });
  });
});

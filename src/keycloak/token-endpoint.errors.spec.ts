import { KeycloakResponseError } from './keycloak.errors';
import {
  mapTokenEndpointError,
  mapUserinfoError,
  type TokenOperation,
} from './token-endpoint.errors';

const answer = (
  status: number,
  error?: string,
  error_description?: string,
  endpoint: 'token' | 'userinfo' = 'token',
) => new KeycloakResponseError(endpoint, { status, error, error_description }, undefined);

describe(mapTokenEndpointError.name, () => {
  it.each<[TokenOperation, number, string, string, number, string]>([
    ['login', 400, 'invalid_grant', 'Invalid user credentials', 401, 'INVALID_CREDENTIALS'],
    ['login', 400, 'invalid_grant', 'Account disabled', 403, 'ACCOUNT_DISABLED'],
    ['login', 400, 'invalid_grant', 'Account is temporarily disabled', 403, 'ACCOUNT_DISABLED'],
    ['login', 400, 'invalid_grant', 'Account is not fully set up', 403, 'ACCOUNT_NOT_FULLY_SET_UP'],
    ['login', 400, 'invalid_grant', 'Something new', 401, 'INVALID_CREDENTIALS'],
    ['refresh', 400, 'invalid_grant', 'Session not active', 401, 'SESSION_NOT_ACTIVE'],
    ['refresh', 400, 'invalid_grant', 'Invalid refresh token', 401, 'INVALID_REFRESH_TOKEN'],
    ['refresh', 400, 'invalid_grant', 'Token is not active', 401, 'INVALID_REFRESH_TOKEN'],
    ['logout', 400, 'invalid_grant', 'Invalid refresh token', 401, 'INVALID_REFRESH_TOKEN'],
    [
      'login',
      401,
      'unauthorized_client',
      'Invalid client or Invalid client credentials',
      502,
      'BFF_CLIENT_MISCONFIGURED',
    ],
    [
      'login',
      401,
      'invalid_client',
      'Invalid client or Invalid client credentials',
      502,
      'BFF_CLIENT_MISCONFIGURED',
    ],
    [
      'login',
      400,
      'unauthorized_client',
      'Client not allowed for direct access grants',
      502,
      'BFF_CLIENT_MISCONFIGURED',
    ],
    [
      'client_credentials',
      400,
      'unauthorized_client',
      'Client not enabled to retrieve service account',
      502,
      'BFF_CLIENT_MISCONFIGURED',
    ],
    ['login', 400, 'invalid_scope', 'Invalid scopes: openid foo', 400, 'INVALID_SCOPE'],
    [
      'master_admin',
      401,
      'invalid_grant',
      'Invalid user credentials',
      502,
      'BFF_CLIENT_MISCONFIGURED',
    ],
    ['master_admin', 400, 'invalid_grant', 'Account disabled', 502, 'BFF_CLIENT_MISCONFIGURED'],
    [
      'master_admin',
      401,
      'unauthorized_client',
      'Invalid client or Invalid client credentials',
      502,
      'BFF_CLIENT_MISCONFIGURED',
    ],
    ['login', 404, 'Realm does not exist', '', 502, 'REALM_NOT_FOUND'],
  ])(
    'should map %s %i %s "%s" to %i %s',
    (operation, status, error, description, ourStatus, code) => {
      const sut = mapTokenEndpointError(
        answer(status, error, description || undefined),
        operation,
        'bff',
      );
      expect(sut).toMatchObject({ status: ourStatus, code });
    },
  );

  it('should give the operator a hint that names the client and the switch', () => {
    const sut = mapTokenEndpointError(
      answer(400, 'unauthorized_client', 'Client not allowed for direct access grants'),
      'login',
      'bff',
    );
    expect(sut).toMatchObject({
      hint: expect.stringContaining('Enable "Direct access grants" on client \'bff\''),
    });
  });

  it('should keep the upstream error and the cause', () => {
    const original = answer(400, 'invalid_grant', 'Invalid user credentials');
    const sut = mapTokenEndpointError(original, 'login', 'bff') as Error & { upstream: unknown };
    expect(sut.upstream).toEqual({
      status: 400,
      error: 'invalid_grant',
      error_description: 'Invalid user credentials',
    });
    expect(sut.cause).toBe(original);
  });

  it('should leave unknown answers and non-Keycloak errors alone', () => {
    const unknown = answer(500, 'unknown_error');
    expect(mapTokenEndpointError(unknown, 'login', 'bff')).toBe(unknown);
    const bug = new TypeError('bug');
    expect(mapTokenEndpointError(bug, 'login', 'bff')).toBe(bug);
  });

  it('should answer session ends with a bearer challenge', () => {
    const sut = mapTokenEndpointError(
      answer(400, 'invalid_grant', 'Session not active'),
      'refresh',
      'bff',
    );
    expect(sut).toMatchObject({
      headers: { 'WWW-Authenticate': expect.stringContaining('error="invalid_token"') },
    });
  });
});

describe(mapUserinfoError.name, () => {
  it('should name the missing openid scope', () => {
    const sut = mapUserinfoError(
      answer(403, 'insufficient_scope', 'Missing openid scope', 'userinfo'),
    );
    expect(sut).toMatchObject({
      status: 403,
      code: 'MISSING_OPENID_SCOPE',
      hint: expect.stringContaining('scope=openid'),
    });
  });

  it.each([
    ['User session not found', 'SESSION_NOT_ACTIVE'],
    ['Token verification failed', 'TOKEN_NOT_ACTIVE'],
  ])('should map a 401 "%s" to %s', (description, code) => {
    expect(mapUserinfoError(answer(401, 'invalid_token', description, 'userinfo'))).toMatchObject({
      status: 401,
      code,
    });
  });
});

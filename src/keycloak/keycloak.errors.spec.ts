import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import {
  IdpTimeoutError,
  IdpUnavailableError,
  KeycloakResponseError,
  narrowKeycloakError,
  parseWwwAuthenticate,
} from './keycloak.errors';

const config = (): InternalAxiosRequestConfig => ({
  headers: new AxiosHeaders(),
  method: 'post',
  url: 'http://kc/realms/demo/protocol/openid-connect/token?x=1',
  timeout: 5000,
  data: 'grant_type=password&client_secret=s3cr3t&password=hunter2',
});

function networkError(code: string, message = code): AxiosError {
  return new AxiosError(message, code, config());
}

function responseError(
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): AxiosError {
  const cfg = config();
  return new AxiosError(
    'failed',
    'ERR_BAD_REQUEST',
    cfg,
    {},
    {
      status,
      statusText: '',
      data,
      headers,
      config: cfg,
    },
  );
}

describe(narrowKeycloakError.name, () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH'])(
    'should map %s to 503 IDP_UNAVAILABLE',
    (code) => {
      const sut = narrowKeycloakError(networkError(code), 'token');
      expect(sut).toBeInstanceOf(IdpUnavailableError);
      expect(sut).toMatchObject({ status: 503, code: 'IDP_UNAVAILABLE' });
      expect((sut as Error).message).toContain(code);
    },
  );

  it.each(['ECONNABORTED', 'ETIMEDOUT'])('should map %s to 504 IDP_TIMEOUT', (code) => {
    const sut = narrowKeycloakError(networkError(code, 'timeout of 5000ms exceeded'), 'userinfo');
    expect(sut).toBeInstanceOf(IdpTimeoutError);
    expect(sut).toMatchObject({ status: 504, code: 'IDP_TIMEOUT' });
    expect((sut as Error).message).toContain('within 5000 ms');
  });

  it('should map an error answer to 502 IDP_ERROR carrying the OAuth error', () => {
    const sut = narrowKeycloakError(
      responseError(400, { error: 'invalid_grant', error_description: 'Invalid user credentials' }),
      'token',
    );
    expect(sut).toBeInstanceOf(KeycloakResponseError);
    expect(sut).toMatchObject({
      status: 502,
      code: 'IDP_ERROR',
      endpoint: 'token',
      upstream: {
        status: 400,
        error: 'invalid_grant',
        error_description: 'Invalid user credentials',
      },
    });
  });

  it('should read the Admin API errorMessage as the description', () => {
    const sut = narrowKeycloakError(responseError(409, { errorMessage: 'User exists' }), 'admin');
    expect(sut).toMatchObject({ upstream: { status: 409, error_description: 'User exists' } });
  });

  it('should take the cause from WWW-Authenticate when the body has none', () => {
    const header =
      'Bearer realm="demo", error="insufficient_scope", error_description="Missing openid scope"';
    const sut = narrowKeycloakError(
      responseError(403, '', { 'www-authenticate': header }),
      'userinfo',
    );
    expect(sut).toMatchObject({
      wwwAuthenticate: header,
      upstream: {
        status: 403,
        error: 'insufficient_scope',
        error_description: 'Missing openid scope',
      },
    });
  });

  it('should keep a cause that names the call but not the request body or query', () => {
    const sut = narrowKeycloakError(networkError('ECONNREFUSED'), 'token') as Error;
    const cause = sut.cause as Error;
    expect(cause.message).toBe(
      'POST http://kc/realms/demo/protocol/openid-connect/token failed: ECONNREFUSED',
    );
    expect(JSON.stringify({ ...cause, message: cause.message })).not.toMatch(/s3cr3t|hunter2/);
  });

  it('should return errors that are not from axios unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(narrowKeycloakError(bug, 'token')).toBe(bug);
  });
});

describe(parseWwwAuthenticate.name, () => {
  it('should parse RFC 6750 parameters', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="demo", error="invalid_token", error_description="Token expired"',
      ),
    ).toEqual({
      realm: 'demo',
      error: 'invalid_token',
      error_description: 'Token expired',
    });
  });

  it('should give nothing for a missing header', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual({});
  });
});

import { readConfig } from './config';

const REQUIRED = { KEYCLOAK_URL: 'http://127.0.0.1:8080', KEYCLOAK_REALM: 'demo' };

describe(readConfig.name, () => {
  it('should apply the defaults and derive the JWKS URL and issuer from KEYCLOAK_URL', () => {
    expect(readConfig({ ...REQUIRED, KEYCLOAK_URL: 'http://127.0.0.1:8080/' })).toEqual({
      config: {
        port: 4000,
        host: '127.0.0.1',
        jwksUri: 'http://127.0.0.1:8080/realms/demo/protocol/openid-connect/certs',
        issuer: 'http://127.0.0.1:8080/realms/demo',
        audience: 'orders-api',
        soleAudience: false,
        clientId: 'orders-api',
        csrfHeader: 'x-csrf',
        bffCookieName: '__Host-bff-session',
        logLevel: 'info',
        shutdownTimeoutMs: 10000,
      },
    });
  });

  it('should take the issuer from KEYCLOAK_PUBLIC_URL and the roles client from the audience', () => {
    const { config } = readConfig({
      ...REQUIRED,
      KEYCLOAK_URL: 'http://keycloak:8080',
      KEYCLOAK_PUBLIC_URL: 'https://sso.example.com',
      ORDERS_API_AUDIENCE: 'billing-api',
      ORDERS_API_SOLE_AUDIENCE: 'true',
      ORDERS_API_CSRF_HEADER: 'X-XSRF',
    });
    expect(config).toMatchObject({
      jwksUri: 'http://keycloak:8080/realms/demo/protocol/openid-connect/certs',
      issuer: 'https://sso.example.com/realms/demo',
      audience: 'billing-api',
      soleAudience: true,
      clientId: 'billing-api',
      csrfHeader: 'x-xsrf',
    });
  });

  it('should name every missing required variable on a line of its own', () => {
    expect(readConfig({ KEYCLOAK_URL: '' })).toEqual({
      errors: [
        'KEYCLOAK_URL is required (example: KEYCLOAK_URL=http://127.0.0.1:8080)',
        'KEYCLOAK_REALM is required (example: KEYCLOAK_REALM=demo)',
      ],
    });
  });

  it.each([
    ['PORT', '0', 'PORT is invalid: must be a port number from 1 to 65535 (example: PORT=4000)'],
    ['PORT', 'http', 'PORT is invalid: must be a port number from 1 to 65535 (example: PORT=4000)'],
    [
      'KEYCLOAK_URL',
      'keycloak:8080',
      'KEYCLOAK_URL is invalid: must be an http(s) URL of the Keycloak server (example: KEYCLOAK_URL=http://127.0.0.1:8080)',
    ],
    [
      'KEYCLOAK_PUBLIC_URL',
      'https://sso.example.com?x=1',
      'KEYCLOAK_PUBLIC_URL is invalid: must be an http(s) URL that appears in token issuers (example: KEYCLOAK_PUBLIC_URL=https://sso.example.com)',
    ],
    [
      'KEYCLOAK_REALM',
      'my realm',
      'KEYCLOAK_REALM is invalid: must be a realm name (letters, digits, . _ -) (example: KEYCLOAK_REALM=demo)',
    ],
    [
      'ORDERS_API_AUDIENCE',
      'orders api',
      'ORDERS_API_AUDIENCE is invalid: must be a client id (example: ORDERS_API_AUDIENCE=orders-api)',
    ],
    [
      'ORDERS_API_SOLE_AUDIENCE',
      'yes',
      'ORDERS_API_SOLE_AUDIENCE is invalid: must be true or false (example: ORDERS_API_SOLE_AUDIENCE=false)',
    ],
    [
      'ORDERS_API_CSRF_HEADER',
      'x csrf',
      'ORDERS_API_CSRF_HEADER is invalid: must be an HTTP header name (example: ORDERS_API_CSRF_HEADER=x-csrf)',
    ],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL is invalid: must be one of fatal, error, warn, info, debug, trace, silent (example: LOG_LEVEL=info)',
    ],
    [
      'SHUTDOWN_TIMEOUT_MS',
      '-1',
      'SHUTDOWN_TIMEOUT_MS is invalid: must be a number of milliseconds from 0 to 300000 (example: SHUTDOWN_TIMEOUT_MS=10000)',
    ],
  ])(
    'should refuse %s=%s with one line that names it and shows an example',
    (name, value, line) => {
      expect(readConfig({ ...REQUIRED, [name]: value })).toEqual({ errors: [line] });
    },
  );
});

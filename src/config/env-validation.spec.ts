import { collectEnvErrors } from './config';
import { keycloakConfig } from './keycloak.config';
import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { redisConfig } from './redis.config';
import { EnvValidationError } from './env-validation';

const VALID = {
  KEYCLOAK_URL: 'http://127.0.0.1:8080',
  KEYCLOAK_REALM: 'demo',
  KEYCLOAK_CLIENT_ID: 'bff',
  KEYCLOAK_CLIENT_SECRET: 'bff-secret',
};

describe('config validation', () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
  });

  it('should accept a complete environment', () => {
    expect(collectEnvErrors(VALID)).toEqual([]);
  });

  it('should name a missing KEYCLOAK_REALM on one line with an example', () => {
    const { KEYCLOAK_REALM: _omit, ...env } = VALID;
    expect(collectEnvErrors(env)).toEqual([
      'KEYCLOAK_REALM is required (example: KEYCLOAK_REALM=demo)',
    ]);
  });

  it('should list every missing required variable, one line each', () => {
    const lines = collectEnvErrors({});
    expect(lines).toHaveLength(4);
    for (const name of [
      'KEYCLOAK_URL',
      'KEYCLOAK_REALM',
      'KEYCLOAK_CLIENT_ID',
      'KEYCLOAK_CLIENT_SECRET',
    ]) {
      expect(lines.filter((l) => l.startsWith(`${name} is required`))).toHaveLength(1);
    }
  });

  it('should treat an empty value as unset', () => {
    expect(collectEnvErrors({ ...VALID, KEYCLOAK_REALM: '' })).toEqual([
      'KEYCLOAK_REALM is required (example: KEYCLOAK_REALM=demo)',
    ]);
  });

  it.each([
    ['KEYCLOAK_URL', 'keycloak:8080', 'must be an http(s) URL'],
    ['KEYCLOAK_PUBLIC_URL', 'ftp://sso', 'must be the http(s) URL'],
    ['KEYCLOAK_REALM', 'my realm', 'must be a realm name'],
    ['PORT', 'eighty', 'must be a port number'],
    ['PORT', '70000', 'must not be greater than 65535'],
    ['LOG_LEVEL', 'loud', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    ['CORS_ORIGINS', 'http://a.example/path', 'comma-separated list of origins'],
    ['TRUST_PROXY', 'yes', 'a number of proxies or a comma-separated list of proxy addresses'],
    ['KEYCLOAK_HTTP_TIMEOUT_MS', '10', 'must not be less than 100'],
    ['JWKS_REFRESH_INTERVAL_MS', '10', 'must not be less than 1000'],
    ['REDIS_URL', 'http://redis:6379', 'must be a redis:// or rediss:// URL'],
    ['REDIS_COMMAND_TIMEOUT_MS', '5', 'must not be less than 10'],
    ['REDIS_BREAKER_FAILURES', 'many', 'must be a number of failed commands'],
    ['REDIS_BREAKER_COOLDOWN_MS', '999999', 'must not be greater than 300000'],
    ['AUTH_INTROSPECTION', 'sometimes', 'must be one of off, fallback, always'],
    ['AUTH_INTROSPECTION_CACHE_TTL_S', '0', 'must not be less than 1'],
    ['AUTH_INTROSPECTION_CACHE_TTL_S', 'soon', 'must be a number of seconds'],
  ])(
    'should reject %s=%s with a line that names it and shows an example',
    (name, value, reason) => {
      const lines = collectEnvErrors({ ...VALID, [name]: value });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${name} is invalid: `);
      expect(lines[0]).toContain(reason);
      expect(lines[0]).toMatch(new RegExp(`\\(example: ${name}=\\S+\\)$`));
    },
  );

  it('should require admin credentials only in master-admin mode', () => {
    expect(collectEnvErrors({ ...VALID, ADMIN_TOKEN_MODE: 'service-account' })).toEqual([]);
    expect(collectEnvErrors({ ...VALID, ADMIN_TOKEN_MODE: 'master-admin' })).toEqual([
      'KEYCLOAK_ADMIN_USERNAME is required (example: KEYCLOAK_ADMIN_USERNAME=admin)',
      'KEYCLOAK_ADMIN_PASSWORD is required (example: KEYCLOAK_ADMIN_PASSWORD=change-me)',
    ]);
    expect(collectEnvErrors({ ...VALID, ADMIN_TOKEN_MODE: 'root' })[0]).toContain(
      'ADMIN_TOKEN_MODE is invalid: must be one of service-account, master-admin',
    );
  });

  it('should derive the public issuer from KEYCLOAK_URL unless KEYCLOAK_PUBLIC_URL is set', () => {
    process.env = { ...VALID, KEYCLOAK_URL: 'http://keycloak:8080/' };
    expect(keycloakConfig().expectedIssuer).toBe('http://keycloak:8080/realms/demo');
    expect(keycloakConfig().discoveryUrl).toBe(
      'http://keycloak:8080/realms/demo/.well-known/openid-configuration',
    );
    process.env = {
      ...VALID,
      KEYCLOAK_URL: 'http://keycloak:8080',
      KEYCLOAK_PUBLIC_URL: 'https://sso.example.com',
    };
    expect(keycloakConfig().expectedIssuer).toBe('https://sso.example.com/realms/demo');
    expect(keycloakConfig().url).toBe('http://keycloak:8080');
  });

  it('should apply defaults and parse lists', () => {
    process.env = { ...VALID, CORS_ORIGINS: 'http://localhost:5173, https://app.example.com' };
    expect(appConfig()).toEqual({
      port: 3000,
      host: '0.0.0.0',
      corsOrigins: ['http://localhost:5173', 'https://app.example.com'],
      logLevel: 'info',
      bodyLimitBytes: 65536,
      trustProxy: false,
      docsEnabled: true,
      benchRoutes: false,
      shutdownTimeoutMs: 10000,
      shutdownDrainMs: 1000,
      requestTimeoutMs: 30000,
      headersTimeoutMs: 10000,
    });
  });

  it('should give each variable one namespace: JWKS timings in keycloak, REDIS_URL in redis', () => {
    process.env = {
      ...VALID,
      JWKS_REFETCH_COOLDOWN_MS: '1000',
      JWKS_REFRESH_INTERVAL_MS: '2000',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };
    expect(keycloakConfig()).toMatchObject({
      jwksRefetchCooldownMs: 1000,
      jwksRefreshIntervalMs: 2000,
    });
    expect(redisConfig()).toEqual({
      url: 'redis://127.0.0.1:6379',
      commandTimeoutMs: 500,
      connectTimeoutMs: 2_000,
      breaker: { failures: 3, cooldownMs: 5_000 },
    });
    const auth = authConfig() as Record<string, unknown>;
    expect(auth).not.toHaveProperty('jwksRefetchCooldownMs');
    expect(auth).not.toHaveProperty('redisUrl');
  });

  it('should default AUTH_AUDIENCE to the KEYCLOAK_CLIENT_ID the keycloak namespace validated', () => {
    process.env = { ...VALID, KEYCLOAK_CLIENT_ID: 'bff-session' };
    expect(authConfig().audience).toBe('bff-session');
    process.env = { ...VALID, AUTH_AUDIENCE: 'orders-api' };
    expect(authConfig().audience).toBe('orders-api');
    // An invalid client id is refused by its owner, never used as the audience.
    process.env = { ...VALID, KEYCLOAK_CLIENT_ID: 'two words' };
    expect(() => authConfig()).toThrow(EnvValidationError);
  });

  it('should leave introspection off by default, and bound its cache by AUTH_TOKEN_CACHE_SIZE (at least 1,000)', () => {
    process.env = { ...VALID };
    expect(authConfig().introspection).toEqual({
      mode: 'off',
      cacheTtlMs: 300_000,
      cacheSize: 10_000,
    });
    process.env = {
      ...VALID,
      AUTH_INTROSPECTION: 'always',
      AUTH_INTROSPECTION_CACHE_TTL_S: '2',
      AUTH_TOKEN_CACHE_SIZE: '0',
    };
    expect(authConfig().introspection).toEqual({
      mode: 'always',
      cacheTtlMs: 2000,
      cacheSize: 1000,
    });
  });

  it('should throw EnvValidationError from a namespace factory', () => {
    process.env = {};
    expect(() => keycloakConfig()).toThrow(EnvValidationError);
  });
});

import { parseStackOptions, portOptionHint, StackOptionsError } from './options';

describe(parseStackOptions.name, () => {
  it('should default to 3000, 8080, 9000 and 4000, bearer mode, with a build', () => {
    expect(parseStackOptions([], {})).toEqual({
      port: 3000,
      keycloakPort: 8080,
      keycloakManagementPort: 9000,
      ordersApiPort: 4000,
      session: false,
      build: true,
      help: false,
    });
  });

  it('should take ports from flags (both spellings) over the environment', () => {
    const options = parseStackOptions(
      [
        '--port',
        '4000',
        '--keycloak-port=18080',
        '--orders-api-port',
        '14000',
        '--session',
        '--no-build',
      ],
      {
        BFF_PORT: '5000',
        KEYCLOAK_PORT: '28080',
        KEYCLOAK_MANAGEMENT_PORT: '19000',
        ORDERS_API_PORT: '24000',
      },
    );
    expect(options).toMatchObject({
      port: 4000,
      keycloakPort: 18080,
      keycloakManagementPort: 19000,
      ordersApiPort: 14000,
      session: true,
      build: false,
    });
  });

  it('should name every bad option in one error, one line each', () => {
    expect.assertions(2);
    try {
      parseStackOptions(['--port', 'http', '--keycloak-port', '--verbose'], {
        KEYCLOAK_MANAGEMENT_PORT: '70000',
      });
    } catch (err) {
      expect(err).toBeInstanceOf(StackOptionsError);
      expect((err as StackOptionsError).lines).toEqual([
        '--keycloak-port needs a port number, e.g. --keycloak-port 4000',
        "unknown option '--verbose' (npm run stack -- --help lists them)",
        "--port must be a port number from 1 to 65535, got 'http'",
        "KEYCLOAK_MANAGEMENT_PORT must be a port number from 1 to 65535, got '70000'",
      ]);
    }
  });

  it('should name a flag that lacks its value', () => {
    expect(() => parseStackOptions(['--port'], {})).toThrow(
      '--port needs a port number, e.g. --port 4000',
    );
  });
});

describe(portOptionHint.name, () => {
  it('should name the flag and the variable', () => {
    expect(portOptionHint('keycloakPort')).toBe('--keycloak-port N (or KEYCLOAK_PORT=N)');
    expect(portOptionHint('ordersApiPort')).toBe('--orders-api-port N (or ORDERS_API_PORT=N)');
  });
});

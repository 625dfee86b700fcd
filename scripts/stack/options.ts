/** What `npm run stack -- …` was asked for. */
export interface StackOptions {
  /** The BFF's port. */
  port: number;
  keycloakPort: number;
  keycloakManagementPort: number;
  /** orders-api, the example downstream API the BFF's proxy mounts at /api/orders. */
  ordersApiPort: number;
  /** The BFF in cookie-session mode (client bff-session) instead of bearer mode. */
  session: boolean;
  /** Run `npm run build` first (off: use the dist/ there is). */
  build: boolean;
  help: boolean;
}

interface PortOption {
  flag: string;
  env: string;
  key: 'port' | 'keycloakPort' | 'keycloakManagementPort' | 'ordersApiPort';
  fallback: number;
  what: string;
}

/**
 * The stack's ports: the flag wins over its environment variable, which wins over the default.
 * The variables are the ones docker-compose.yml interpolates, so both ways read the same names.
 * When the demo SPA joins the stack, its port joins this list.
 */
export const PORT_OPTIONS: readonly PortOption[] = [
  { flag: '--port', env: 'BFF_PORT', key: 'port', fallback: 3000, what: 'the BFF' },
  {
    flag: '--keycloak-port',
    env: 'KEYCLOAK_PORT',
    key: 'keycloakPort',
    fallback: 8080,
    what: 'Keycloak',
  },
  {
    flag: '--keycloak-management-port',
    env: 'KEYCLOAK_MANAGEMENT_PORT',
    key: 'keycloakManagementPort',
    fallback: 9000,
    what: "Keycloak's management interface (health)",
  },
  // 4000 is what api-routes.example.json's targets name; another port gets a derived copy.
  {
    flag: '--orders-api-port',
    env: 'ORDERS_API_PORT',
    key: 'ordersApiPort',
    fallback: 4000,
    what: 'orders-api',
  },
];

/** How to change a port, as error messages name it: "--port N (or BFF_PORT=N)". */
export function portOptionHint(key: PortOption['key']): string {
  const option = PORT_OPTIONS.find((o) => o.key === key);
  return option ? `${option.flag} N (or ${option.env}=N)` : key;
}

export const USAGE = `Usage: npm run stack [-- options]

Keycloak with the demo realm, orders-api (the example API the BFF's proxy mounts at
/api/orders) and the BFF, until Ctrl-C (or SIGTERM, SIGHUP, or the end of
the process that started it). docker compose when a Docker engine and Compose v2 answer,
otherwise the Keycloak distribution from Maven Central and the BFF as a local process.

  --port N                       the BFF's port (BFF_PORT; default 3000)
  --keycloak-port N              Keycloak's port (KEYCLOAK_PORT; default 8080)
  --keycloak-management-port N   Keycloak's health port (KEYCLOAK_MANAGEMENT_PORT; default
                                 9000; distribution only)
  --orders-api-port N            orders-api's port (ORDERS_API_PORT; default 4000)
  --session                      the BFF in cookie-session mode (client bff-session);
                                 always on the Keycloak distribution
  --no-build                     start the BFF from the dist/ there is
  --help                         this text

Details: docs/local-stack.md`;

export class StackOptionsError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'StackOptionsError';
  }
}

function parsePort(raw: string, source: string, problems: string[]): number | undefined {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    problems.push(`${source} must be a port number from 1 to 65535, got '${raw}'`);
    return undefined;
  }
  return port;
}

/** Reads argv (after `--`) and the environment; every problem is one line of the error. */
export function parseStackOptions(argv: string[], env: NodeJS.ProcessEnv): StackOptions {
  const options: StackOptions = {
    port: 0,
    keycloakPort: 0,
    keycloakManagementPort: 0,
    ordersApiPort: 0,
    session: false,
    build: true,
    help: false,
  };
  const problems: string[] = [];
  const fromFlags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name = '', inline] = arg.split(/=(.*)/s, 2);
    if (PORT_OPTIONS.some((o) => o.flag === name)) {
      const next = argv[i + 1];
      const value = inline ?? (next?.startsWith('--') ? undefined : next);
      if (inline === undefined && value !== undefined) {
        i++;
      }
      if (value === undefined) {
        problems.push(`${name} needs a port number, e.g. ${name} 4000`);
      } else {
        fromFlags.set(name, value);
      }
    } else if (arg === '--session') {
      options.session = true;
    } else if (arg === '--no-build') {
      options.build = false;
    } else if (arg === '--help' || arg === '-h') {
      options.help = true;
    } else {
      problems.push(`unknown option '${arg}' (npm run stack -- --help lists them)`);
    }
  }
  for (const option of PORT_OPTIONS) {
    const flag = fromFlags.get(option.flag);
    const fromEnv = env[option.env];
    const port =
      flag !== undefined
        ? parsePort(flag, option.flag, problems)
        : fromEnv
          ? parsePort(fromEnv, option.env, problems)
          : option.fallback;
    options[option.key] = port ?? option.fallback;
  }
  if (problems.length > 0) {
    throw new StackOptionsError(problems);
  }
  return options;
}

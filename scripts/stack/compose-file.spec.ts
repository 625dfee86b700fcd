import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { readApiRoutes } from '../../src/config/api-routes.file';
import { REPO_ROOT } from '../keycloak/version';

/**
 * The Compose Specification's JSON schema (compose-spec/compose-spec, schema/compose-spec.json,
 * Apache-2.0) as the `dclint` package ships it (`schemas/compose.schema.json`; dclint is MIT and
 * refreshes its copy from the spec). Read from node_modules: no network at test time, and no
 * Docker engine either. dclint's package exports do not list the file, hence the path.
 */
function composeSchema(): Record<string, unknown> {
  const dir = dirname(require.resolve('dclint/package.json'));
  return JSON.parse(readFileSync(join(dir, 'schemas', 'compose.schema.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

function validator(): (data: unknown) => ErrorObject[] {
  const schema = composeSchema();
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema names draft-07 by its https URL; ajv ships the same meta-schema under http.
  ajv.addMetaSchema({ ...draft07, $id: String(schema.$schema) });
  const validate = ajv.compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []));
}

interface ComposeFile {
  name?: string;
  services: Record<
    string,
    {
      ports?: string[];
      environment?: Record<string, string>;
      image?: string;
      build?: string;
      command?: string[];
      volumes?: string[];
      depends_on?: Record<string, { condition: string }>;
    }
  >;
}

/** Compose's `${VAR:-default}` interpolation with every variable unset. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

function dotEnvExample(): Record<string, string> {
  const entries = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]);
  return Object.fromEntries(entries);
}

describe('docker-compose.yml', () => {
  const text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const compose = parse(text) as ComposeFile;
  const validate = validator();

  it('should be valid against the Compose Specification schema', () => {
    expect(validate(compose)).toEqual([]);
  });

  it('should make the schema check able to fail', () => {
    const broken = { ...compose, services: { bff: { image: 'x', portz: ['3000:3000'] } } };
    expect(validate(broken).map((e) => e.params)).toContainEqual({ additionalProperty: 'portz' });
  });

  it('should say that it needs Compose v2, whose top-level name: Compose 1.x refuses', () => {
    expect(compose.name).toBe('keycloak-bff');
    expect(text).toContain('Needs Compose v2');
  });

  it('should not publish Redis, so the local Redis on 6379 keeps its port', () => {
    expect(compose.services.redis?.ports).toBeUndefined();
  });

  it("should send the realm's back-channel logouts to the BFF container", () => {
    expect(compose.services.keycloak?.environment?.BFF_BACKCHANNEL_LOGOUT_URL).toBe(
      'http://bff:3000/auth/backchannel-logout',
    );
  });

  it('should publish on 127.0.0.1 only, on the ports npm run stack chooses', () => {
    expect(compose.services.keycloak?.ports).toEqual(['127.0.0.1:${KEYCLOAK_PORT:-8080}:8080']);
    expect(compose.services.bff?.ports).toEqual(['127.0.0.1:${BFF_PORT:-3000}:3000']);
    expect(compose.services['orders-api']?.ports).toEqual([
      '127.0.0.1:${ORDERS_API_PORT:-4000}:4000',
    ]);
  });

  it("should run orders-api from the BFF's image, the compiled example that the Dockerfile builds", () => {
    const ordersApi = compose.services['orders-api'];
    expect(ordersApi?.build).toBe(compose.services.bff?.build);
    expect(ordersApi?.command).toEqual(['node', 'examples/orders-api/dist/main.js']);
    expect(ordersApi?.environment).toMatchObject({
      KEYCLOAK_URL: 'http://keycloak:8080',
      KEYCLOAK_REALM: 'demo',
      HOST: '0.0.0.0',
      PORT: '4000',
    });
    expect(ordersApi?.depends_on?.keycloak?.condition).toBe('service_healthy');
    expect(compose.services.bff?.depends_on?.['orders-api']?.condition).toBe('service_healthy');
  });

  it("should mount orders-api in the BFF at orders-api's container, as the example routes file does", () => {
    const bff = compose.services.bff?.environment ?? {};
    expect(bff.TOKEN_EXCHANGE_AUDIENCES).toBe('orders-api');
    const mount = (compose.services.bff?.volumes ?? []).find((v) =>
      v.includes(`:${bff.API_ROUTES_FILE}:`),
    );
    expect(mount).toBe('./deploy/api-routes.compose.json:/app/deploy/api-routes.compose.json:ro');
    const audiences = [bff.TOKEN_EXCHANGE_AUDIENCES ?? ''];
    const forCompose = readApiRoutes(
      join(REPO_ROOT, 'deploy', 'api-routes.compose.json'),
      audiences,
    );
    const example = readApiRoutes(join(REPO_ROOT, 'api-routes.example.json'), audiences);
    expect(forCompose.problems).toEqual([]);
    expect(example.problems).toEqual([]);
    // The same routes, every target moved from 127.0.0.1:4000 to the container's name.
    expect(forCompose.routes.map((r) => ({ ...r, target: String(r.target) }))).toEqual(
      example.routes.map((r) => ({
        ...r,
        target: String(r.target).replace('http://127.0.0.1:4000', 'http://orders-api:4000'),
      })),
    );
    expect(forCompose.routes.length).toBeGreaterThan(0);
  });

  it('should give tokens the issuer that .env.example and npm run keycloak use', () => {
    const keycloak = compose.services.keycloak?.environment ?? {};
    const bff = compose.services.bff?.environment ?? {};
    const envUrl = dotEnvExample().KEYCLOAK_URL;
    expect(envUrl).toBe('http://127.0.0.1:8080');
    expect(withDefaults(keycloak.KC_HOSTNAME ?? '')).toBe(envUrl);
    expect(withDefaults(bff.KEYCLOAK_PUBLIC_URL ?? '')).toBe(envUrl);
    const ordersApi = compose.services['orders-api']?.environment ?? {};
    expect(withDefaults(ordersApi.KEYCLOAK_PUBLIC_URL ?? '')).toBe(envUrl);
  });
});

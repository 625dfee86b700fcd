import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from './utils/test-app';
import { passwordGrant } from './utils/keycloak';

/**
 * Property: whatever request a client makes of a route in our own OpenAPI document, the BFF
 * answers below 500, and every error is problem+json with its code and request id. Requests
 * are built from the document (paths, methods, parameters, body schemas), then bent: values of
 * the wrong type, control characters, huge numbers, deep nesting, broken JSON, other content
 * types and methods, missing, garbage or real bearer tokens. Against the real Keycloak.
 *
 * Bounded: FUZZ_RUNS cases (default 1000, a few seconds) or FUZZ_TIME_LIMIT_MS (default 45 s),
 * whichever ends first; FUZZ_SEED replays a run (the seed of every run is printed).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 45_000);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() : Number(process.env.FUZZ_SEED);

type Schema = {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  required?: string[];
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: Schema;
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema?: Schema }> };
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  /** Content type → schema of the body the route documents. */
  bodies: [string, Schema | undefined][];
}

const CONTROL = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
);

/** Strings a client should not send and a server must still answer. */
const hostileString = fc.oneof(
  fc.string(),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc
    .tuple(fc.string({ maxLength: 10 }), CONTROL, fc.string({ maxLength: 10 }))
    .map((p) => p.join('')),
  fc.string({ minLength: 200, maxLength: 3000 }),
  fc.constantFrom(
    '2147483648',
    '99999999999999999999',
    '-1',
    '1e400',
    'NaN',
    '0x10',
    'true',
    'null',
    '{}',
    '[]',
    '../../etc/passwd',
    '%00',
    '%E0%A4%A',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '\uD800',
  ),
  fc.uuid(),
);

/** encodeURIComponent, but a lone surrogate goes as UTF-8 does it (U+FFFD) instead of throwing. */
const encode = (value: unknown): string =>
  encodeURIComponent(Buffer.from(String(value), 'utf8').toString('utf8'));

function resolve(schema: Schema | undefined, doc: OpenApi): Schema | undefined {
  if (schema?.$ref) {
    return resolve(doc.components.schemas[schema.$ref.split('/').pop() ?? ''], doc);
  }
  return schema;
}

/** A value that fits the schema, roughly: valid-looking, so deeper code paths are reached. */
function fitting(schema: Schema | undefined, doc: OpenApi, depth = 0): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, doc);
  if (!resolved || depth > 4) {
    return fc.jsonValue({ maxDepth: 2 });
  }
  if (resolved.enum) {
    return fc.constantFrom(...resolved.enum);
  }
  if (resolved.oneOf) {
    return fc.oneof(...resolved.oneOf.map((s) => fitting(s, doc, depth + 1)));
  }
  if (resolved.properties) {
    const keys = Object.keys(resolved.properties);
    return fc.record(
      Object.fromEntries(
        keys.map((key) => [
          key,
          fc.oneof(fitting(resolved.properties?.[key], doc, depth + 1), hostileValue),
        ]),
      ),
      {
        requiredKeys: keys.filter((key) => resolved.required?.includes(key) && key !== 'username'),
      },
    );
  }
  const byType: Record<string, fc.Arbitrary<unknown>> = {
    array: fc.array(fitting(resolved.items, doc, depth + 1), { maxLength: 4 }),
    boolean: fc.boolean(),
    number: fc.oneof(fc.integer(), fc.double()),
    integer: fc.integer(),
    string: resolved.format === 'uuid' ? fc.uuid() : hostileString,
  };
  return byType[resolved.type ?? ''] ?? fc.jsonValue({ maxDepth: 2 });
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, null, true, [], {}),
);

/** A body for one content type: fitting, any JSON, nested past any limit, or not JSON at all. */
function bodyFor(schema: Schema | undefined, doc: OpenApi): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fitting(schema, doc).map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 3000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant('') },
  );
}

function operations(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      bodies: Object.entries(op.requestBody?.content ?? {}).map(
        ([type, media]) => [type, media.schema] as [string, Schema | undefined],
      ),
    })),
  );
}

function forged(kid: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid, typ: 'JWT' })}.${part({ sub: 'x', exp: 1 })}.c2ln`;
}

function requestFor(
  op: Operation,
  doc: OpenApi,
  tokens: { admin: string; user: string },
): fc.Arbitrary<InjectOptions> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const path = fc
    .tuple(
      ...pathParams.map((p) =>
        fc.oneof(
          fitting(p.schema, doc).map(encode),
          hostileString.map(encode),
          fc.constantFrom('%E0%A4%A', '%', 'a'.repeat(150), '..', '%2F'),
        ),
      ),
    )
    .map((values) =>
      pathParams.reduce((url, p, i) => url.replace(`{${p.name}}`, values[i] ?? ''), op.path),
    );
  const query = fc
    .array(
      fc.tuple(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...queryParams.map((p) => p.name), 'x') },
          { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
        ),
        fc.oneof(
          hostileString,
          fc.constantFrom('true', 'false', '0', '1', '100', '101', '2147483647'),
        ),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&'));
  const authorization = fc.constantFrom(
    undefined,
    `Bearer ${tokens.admin}`,
    `Bearer ${tokens.user}`,
    'Bearer not.a.jwt',
    `Bearer ${forged('key\u0001\u0000')}`,
    'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=',
    'Bearer',
  );
  const contentType = fc.constantFrom(
    ...op.bodies.map(([type]) => type),
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-16',
    'multipart/form-data; boundary=x',
    undefined,
  );
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constant(op.method) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
    },
  );
  const body = op.bodies.length > 0 ? bodyFor(op.bodies[0]?.[1], doc) : fc.option(fc.string());
  return fc
    .record({
      method,
      path,
      query,
      authorization,
      contentType,
      body,
      requestId: fc.option(hostileString),
    })
    .map((r): InjectOptions => {
      const headers: Record<string, string> = {};
      if (r.authorization) headers.authorization = r.authorization;
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.requestId !== null) headers['x-request-id'] = r.requestId.replace(/[^\x20-\x7e]/g, '');
      const withBody = r.method !== 'GET' && r.method !== 'HEAD' && r.body !== null;
      return {
        method: r.method as InjectOptions['method'],
        url: r.query ? `${r.path}?${r.query}` : r.path,
        headers,
        ...(withBody ? { payload: r.body ?? '' } : {}),
      };
    });
}

const PROBLEM = 'application/problem+json; charset=utf-8';

interface Problem {
  status?: unknown;
  code?: unknown;
  requestId?: unknown;
}

describe('OpenAPI-driven fuzzing (fast-check, real Keycloak)', () => {
  let sut: TestApp;
  let doc: OpenApi;
  let tokens: { admin: string; user: string };

  beforeAll(async () => {
    // The login limit would turn most logins into 429 before Keycloak sees them.
    sut = await createTestApp({ LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT_PER_IP: '100000' });
    doc = (await sut.inject({ method: 'GET', url: '/docs-json' })).json<OpenApi>();
    tokens = {
      admin: (await passwordGrant('alice', 'alice-password')).access_token,
      user: (await passwordGrant('bob', 'bob-password')).access_token,
    };
  });

  afterAll(async () => {
    await sut.close();
  });

  it('should answer every request to every documented route below 500, each error as problem+json with a request id', async () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThanOrEqual(15);
    const request = fc.oneof(...ops.map((op) => requestFor(op, doc, tokens)));
    const statuses = new Map<number, number>();
    let cases = 0;
    const started = performance.now();

    await fc.assert(
      fc.asyncProperty(request, async (options) => {
        const res = await sut.inject(options);
        cases++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);

        // The answer as a whole, so that a failure shows it.
        const seen = {
          status: res.statusCode,
          type: res.headers['content-type'],
          body: res.body.slice(0, 300),
        };
        expect(seen.status < 500 ? 'below 500' : seen).toBe('below 500');
        if (res.statusCode >= 400) {
          expect(seen.type === PROBLEM ? PROBLEM : seen).toBe(PROBLEM);
          if (options.method !== 'HEAD') {
            const body = JSON.parse(res.body) as Problem;
            expect({
              status: body.status,
              code: typeof body.code,
              id: typeof body.requestId,
            }).toEqual({
              status: res.statusCode,
              code: 'string',
              id: 'string',
            });
            expect(res.headers['x-request-id']).toBe(body.requestId);
          }
        }
      }),
      {
        numRuns: RUNS,
        seed: SEED,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
      },
    );

    const histogram = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    process.stderr.write(
      `[openapi-fuzz] seed ${SEED}: ${cases} cases over ${ops.length} operations in ${Math.round(performance.now() - started)} ms; statuses ${JSON.stringify(histogram)}\n`,
    );
    // The bound cut the run short only if the machine is very slow; it must still have run.
    expect(cases).toBeGreaterThanOrEqual(Math.min(RUNS, 100));
  });
});

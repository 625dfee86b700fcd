import Ajv, { type ValidateFunction } from 'ajv';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './serve';

/** What the validator needs of an answer, whichever client received it. */
export interface ReceivedResponse {
  status: number;
  /** The Content-Type header, parameters included (or undefined without one). */
  contentType: string | undefined;
  body: string;
}

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const DOC_ID = 'openapi';

/** JSON pointer escaping (RFC 6901 §3): `/users/{id}` → `~1users~1{id}`. */
const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks real answers against the app's own OpenAPI document: the operation is found by method
 * and path template, the response by status (else `default`), the schema by media type, and the
 * body is validated with ajv over the document's schemas, problem+json bodies included. An
 * answer of a status or media type the operation does not document is an error too. Answers to
 * paths outside the document (unknown routes, the API proxy) must still be problems when they
 * say they are.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: { path: string; pattern: RegExp }[];

  constructor(private readonly document: Document) {
    // The document is OpenAPI 3.0: `nullable`, `example` and friends are not JSON Schema.
    this.ajv = new Ajv({ strict: false, allErrors: true });
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    this.ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
    this.ajv.addFormat('uri', (value: string) => URL.canParse(value));
    this.ajv.addSchema(document, DOC_ID);
    this.templates = Object.keys(document.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/\{[^/]+\}/g, '[^/]+')}$`),
    }));
  }

  /** The document the app serves at /docs-json. */
  static async of(app: TestApp): Promise<OpenApiValidator> {
    const res = await app.inject({ method: 'GET', url: '/docs-json' });
    return new OpenApiValidator(res.json<Document>());
  }

  /** Every way the answer breaks the document; empty when it conforms. */
  errors(method: string, url: string, res: ReceivedResponse): string[] {
    const path = new URL(url, 'http://bff').pathname;
    const template = this.templates.find((t) => t.pattern.test(path))?.path;
    const operation = template && this.document.paths[template]?.[method.toLowerCase()];
    const mediaType = res.contentType?.split(';', 1)[0]?.trim().toLowerCase();
    if (!template || !operation) {
      // Not ours to describe (unknown route, API proxy, /docs): only our errors are checked.
      return mediaType === 'application/problem+json'
        ? this.check(`#/components/schemas/ProblemDto`, res.body)
        : [];
    }
    const status = String(res.status);
    const key = status in operation.responses ? status : 'default';
    const response = operation.responses[key];
    if (!response || (key === 'default' && res.status < 400)) {
      return [`${method} ${template}: status ${status} is not documented`];
    }
    if (!response.content || res.body === '') {
      return response.content && res.status !== 204 && res.status !== 302
        ? [`${method} ${template} ${status}: documented with a body, answered without one`]
        : [];
    }
    if (!mediaType || !(mediaType in response.content)) {
      return [`${method} ${template} ${status}: media type ${mediaType} is not documented`];
    }
    const pointer = ['paths', template, method.toLowerCase(), 'responses', key, 'content']
      .concat(mediaType, 'schema')
      .map(escapePointer)
      .join('/');
    return this.check(`#/${pointer}`, res.body).map((e) => `${method} ${template} ${status}: ${e}`);
  }

  /** Throws with the reasons when the answer breaks the document. */
  expectValid(method: string, url: string, res: ReceivedResponse): void {
    const errors = this.errors(method, url, res);
    if (errors.length > 0) {
      throw new Error(
        `Response does not match the OpenAPI document:\n${errors.join('\n')}\nbody: ${res.body.slice(0, 2000)}`,
      );
    }
  }

  private check(pointer: string, body: string): string[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOC_ID}${pointer}` });
      this.compiled.set(pointer, validate);
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return ['the body is not JSON'];
    }
    return validate(value)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`);
  }
}

export function receivedOf(res: LightMyRequestResponse): ReceivedResponse {
  const type = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: typeof type === 'string' ? type : undefined,
    body: res.body,
  };
}

/**
 * The same app, with every injected request's answer validated against its OpenAPI document: a
 * response that breaks the document fails the test that received it.
 */
export async function validatingResponses(app: TestApp): Promise<TestApp> {
  const validator = await OpenApiValidator.of(app);
  return {
    ...app,
    inject: async (options: InjectOptions) => {
      const res = await app.inject(options);
      const target = options.url ?? options.path ?? '/';
      const url = typeof target === 'string' ? target : (target.pathname ?? '/');
      validator.expectValid(options.method ?? 'GET', url, receivedOf(res));
      return res;
    },
  };
}

/** Anything with a fetch method, such as browserless.ts's CookieJar. */
interface Fetcher {
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

/**
 * The same fetcher, with every answer from `origin` (the BFF; not Keycloak's pages of a login)
 * validated against the document. Reads a clone, so the caller still has the body.
 */
export function validatingFetches<F extends Fetcher>(
  fetcher: F,
  validator: OpenApiValidator,
  origin: string,
): F {
  const fetch = fetcher.fetch.bind(fetcher);
  fetcher.fetch = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    if (url.startsWith(origin)) {
      validator.expectValid(init?.method ?? 'GET', url, {
        status: res.status,
        contentType: res.headers.get('content-type') ?? undefined,
        body: await res.clone().text(),
      });
    }
    return res;
  };
  return fetcher;
}

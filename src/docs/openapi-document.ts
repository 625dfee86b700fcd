import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { HTTP_ERRORS } from '../common/errors/http-errors';
import { problemStatusSchemaName, ProblemDto } from '../common/swagger/problem.schema';
import { VERSION } from '../common/version';
import { type CatalogEntry, problemCatalog } from './problem-catalog';
import { BEARER_SCHEME } from './security-schemes';

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** `Problem_IDP_UNAVAILABLE`: the schema of one code's problem body. */
export const problemCodeSchemaName = (code: string): string => `Problem_${code}`;

const DESCRIPTION = [
  'Backend-for-frontend between single-page apps and Keycloak. Every error is',
  'application/problem+json with a stable `code` (docs/errors.md in the repository); each',
  'status of a route lists the codes it stands for, with an example each.',
  '',
  'Not in this document: the routes of the API proxy (API_ROUTES_FILE, docs/proxy.md), which',
  'forward to the APIs behind the BFF and answer with their bodies.',
].join('\n');

/** The OpenAPI 3 document of the app: what /docs-json serves and what the tests check. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('keycloak-bff')
    .setDescription(DESCRIPTION)
    .setVersion(VERSION)
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative: Swagger UI's Execute goes to the BFF that served the document.
    .addServer('/', 'The BFF that serves this document')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A Keycloak access token',
      },
      BEARER_SCHEME,
    )
    .build();
  return finishDocument(SwaggerModule.createDocument(app, config));
}

/**
 * What the decorators cannot say: one problem schema per error code with its example, a oneOf
 * per status, a `default` problem response on every operation, and `security: []` on the
 * operations that take no bearer token (the routes are public or read the session cookie).
 */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const catalog = problemCatalog();
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {});
  const examples = (components.examples ??= {});
  for (const entry of catalog) {
    examples[problemCodeSchemaName(entry.code)] = { summary: entry.title, value: entry.example };
  }
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) {
        finishOperation(operation, catalog, schemas);
      }
    }
  }
  return document;
}

const exampleRefs = (entries: CatalogEntry[]): Record<string, ReferenceObject> =>
  Object.fromEntries(
    entries.map((entry) => [
      entry.code,
      { $ref: `#/components/examples/${problemCodeSchemaName(entry.code)}` },
    ]),
  );

function codeSchema(entry: CatalogEntry): SchemaObject {
  return {
    description: entry.title,
    allOf: [
      { $ref: getSchemaPath(ProblemDto) },
      {
        type: 'object',
        required: entry.required,
        properties: {
          code: { type: 'string', enum: [entry.code] },
          status: { type: 'integer', enum: [entry.status] },
        },
      },
    ],
  };
}

/** The problems of one status: the code's schema, or a oneOf over the status's codes. */
function statusSchema(
  codes: CatalogEntry[],
  schemas: Record<string, SchemaObject | ReferenceObject>,
): SchemaObject | ReferenceObject {
  for (const entry of codes) {
    schemas[problemCodeSchemaName(entry.code)] ??= codeSchema(entry);
  }
  const refs = codes.map((entry) => ({ $ref: getSchemaPath(problemCodeSchemaName(entry.code)) }));
  if (refs.length === 0) {
    return { $ref: getSchemaPath(ProblemDto) };
  }
  return refs.length === 1 && refs[0] ? refs[0] : { oneOf: refs };
}

function finishOperation(
  operation: OperationObject,
  catalog: CatalogEntry[],
  schemas: Record<string, SchemaObject | ReferenceObject>,
): void {
  operation.security ??= [];
  for (const [status, response] of Object.entries(operation.responses)) {
    const content = (response as ResponseObject).content?.[PROBLEM_MEDIA_TYPE];
    if (!content) {
      continue;
    }
    const codes = catalog.filter((entry) => String(entry.status) === status);
    schemas[problemStatusSchemaName(Number(status))] ??= statusSchema(codes, schemas);
    (response as ResponseObject).description = codes.length
      ? codes.map((entry) => `\`${entry.code}\``).join(', ')
      : `HTTP ${status}`;
    content.examples = exampleRefs(codes);
  }
  const declared = new Set(Object.keys(operation.responses));
  operation.responses.default = {
    description:
      'Any other error, e.g. of the HTTP layer (NOT_FOUND, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE…)',
    content: {
      [PROBLEM_MEDIA_TYPE]: {
        schema: { $ref: getSchemaPath(ProblemDto) },
        examples: exampleRefs(
          catalog.filter(
            (entry) => entry.code in HTTP_ERRORS && !declared.has(String(entry.status)),
          ),
        ),
      },
    },
  };
}

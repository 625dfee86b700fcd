import { OpenApiValidator } from './openapi-validator';

const PROBLEM = 'application/problem+json';

const document = {
  paths: {
    '/users/{id}': {
      get: {
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id'],
                  properties: {
                    id: { type: 'string', format: 'uuid' },
                    first: { type: 'integer' },
                  },
                },
              },
            },
          },
          '404': {
            content: { [PROBLEM]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
          },
          default: {
            content: { [PROBLEM]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      ProblemDto: {
        type: 'object',
        required: ['code', 'status'],
        properties: { code: { type: 'string' }, status: { type: 'integer' } },
      },
    },
  },
};

const ID = '6b2f4c1e-0c4e-4d7a-9a57-2f1a3b5c7d9e';
const json = (status: number, body: unknown, contentType = 'application/json') => ({
  status,
  contentType: `${contentType}; charset=utf-8`,
  body: JSON.stringify(body),
});

describe(OpenApiValidator.name, () => {
  const sut = new OpenApiValidator(document);

  it('should accept an answer that matches its path template, status and media type', () => {
    expect(sut.errors('GET', `/users/${ID}?x=1`, json(200, { id: ID, first: 0 }))).toEqual([]);
    expect(
      sut.errors('GET', `/users/${ID}`, json(404, { code: 'NOT_FOUND', status: 404 }, PROBLEM)),
    ).toEqual([]);
  });

  it('should report a body that breaks the schema', () => {
    expect(sut.errors('GET', `/users/${ID}`, json(200, { id: 'nope', first: '0' }))).toEqual([
      'GET /users/{id} 200: /id must match format "uuid"',
      'GET /users/{id} 200: /first must be integer',
    ]);
  });

  it('should report an undocumented media type and a success outside the documented ones', () => {
    expect(sut.errors('GET', `/users/${ID}`, json(404, { code: 'X', status: 404 }))).toHaveLength(
      1,
    );
    expect(sut.errors('GET', `/users/${ID}`, json(201, { id: ID }))).toEqual([
      'GET /users/{id}: status 201 is not documented',
    ]);
  });

  it('should check other errors against default, and problems of unknown routes', () => {
    expect(sut.errors('GET', `/users/${ID}`, json(400, { code: 'BAD_REQUEST' }, PROBLEM))).toEqual([
      "GET /users/{id} 400: (body) must have required property 'status'",
    ]);
    expect(sut.errors('GET', '/nope', json(404, { code: 'NOT_FOUND' }, PROBLEM))).toHaveLength(1);
    expect(sut.errors('GET', '/nope', json(200, { anything: true }))).toEqual([]);
  });
});

import { OidcDiscoveryService } from '../src/keycloak/oidc-discovery.service';
import { createTestApp, type TestApp } from './utils/test-app';
import { decodeJwt, kc, passwordGrant, verifyWithJwks } from './utils/keycloak';

interface OpenApiDoc {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, { required?: string[]; oneOf?: unknown[] }>;
  };
}

describe('Foundation (real Keycloak)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('should be ready when Keycloak is up', async () => {
    const res = await sut.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      info: { keycloak: { status: 'up', issuer: 'matches', signingKeys: 1 } },
    });
  });

  it('should be live', async () => {
    const res = await sut.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('should serve Swagger UI at /docs', async () => {
    const res = await sut.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger-ui');
  });

  it('should serve a valid OpenAPI 3 document with a bearer scheme and problem responses', async () => {
    const res = await sut.inject({ method: 'GET', url: '/docs-json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApiDoc>();
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'keycloak-bff', version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    );
    const ready = doc.paths['/health/ready']?.get;
    // A status's schema is a oneOf over its codes' schemas, each built on ProblemDto.
    expect(ready?.responses['503']?.content?.['application/problem+json']?.schema).toEqual({
      $ref: '#/components/schemas/ProblemStatus503',
    });
    expect(doc.components.schemas.ProblemStatus503?.oneOf).toEqual(
      expect.arrayContaining([
        { $ref: '#/components/schemas/Problem_IDP_UNAVAILABLE' },
        { $ref: '#/components/schemas/Problem_JWKS_UNAVAILABLE' },
      ]),
    );
    expect(doc.components.schemas.ProblemDto?.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'code', 'requestId']),
    );
    // Every operation documents its responses, including at least one problem+json error.
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const problems = Object.values(op.responses).filter((r) =>
          JSON.stringify(r).includes('application/problem+json'),
        );
        expect({ path, method, problems: problems.length > 0 }).toEqual({
          path,
          method,
          problems: true,
        });
      }
    }
  });

  it('should discover the realm and verify an imported user token against its JWKS', async () => {
    const discovery = sut.app.get(OidcDiscoveryService);
    const metadata = await discovery.getMetadata();
    expect(metadata.issuer).toBe(kc.realmUrl());

    const tokens = await passwordGrant('alice', 'alice-password');
    const jwks = (await (await fetch((await discovery.getEndpoints()).jwks)).json()) as {
      keys: { kid?: string }[];
    };
    expect(verifyWithJwks(tokens.access_token, jwks)).toBe(true);

    const { payload } = decodeJwt(tokens.access_token);
    expect(payload).toMatchObject({ iss: kc.realmUrl(), preferred_username: 'alice', azp: 'bff' });
    expect(payload.aud).toEqual(expect.arrayContaining(['bff']));
    expect(String(payload.scope).split(' ')).toContain('openid');

    // A tampered payload must not verify: the check above is a real signature check.
    const [h, , s] = tokens.access_token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...payload, preferred_username: 'mallory' }),
    ).toString('base64url');
    expect(verifyWithJwks(`${h}.${forged}.${s}`, jwks)).toBe(false);
  });

  it('should import the demo realm users, roles and clients as specified', async () => {
    const wang = decodeJwt((await passwordGrant('wang', 'wang-password')).access_token).payload;
    expect(wang).toMatchObject({ given_name: '小明', family_name: '王' });
    const bob = decodeJwt((await passwordGrant('bob', 'bob-password')).access_token).payload;
    expect((bob.realm_access as { roles: string[] }).roles).toEqual(
      expect.arrayContaining(['user']),
    );
    expect((bob.realm_access as { roles: string[] }).roles).not.toContain('admin');
    await expect(passwordGrant('carol', 'carol-password')).rejects.toThrow(/Account disabled/);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createTestApp } from '../../test/utils/test-app';
import { ERROR_TABLES } from './problem-catalog';
import { createOpenApiDocument, problemCodeSchemaName } from './openapi-document';

const ROOT = resolve(__dirname, '../..');
const REDOCLY = join(ROOT, 'node_modules/.bin/redocly');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: unknown[] }[];
}

/** Redocly CLI (ESM-only, so run as a process) with the repository's redocly.yaml. */
async function lint(document: OpenAPIObject): Promise<LintReport> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const run = await promisify(execFile)(REDOCLY, ['lint', file, '--format=json'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    return JSON.parse(run.stdout) as LintReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(createOpenApiDocument.name, () => {
  let sut: OpenAPIObject;

  beforeAll(async () => {
    // The real AppModule, never listening: only its routes and DTOs are read.
    const app = await createTestApp({
      KEYCLOAK_URL: 'http://127.0.0.1:1',
      KEYCLOAK_REALM: 'demo',
      KEYCLOAK_CLIENT_ID: 'bff',
      KEYCLOAK_CLIENT_SECRET: 'unused',
      LOG_LEVEL: 'silent',
    });
    try {
      sut = createOpenApiDocument(app.app);
    } finally {
      await app.close();
    }
  });

  it("should pass Redocly's recommended rules with no error", async () => {
    const report = await lint(sut);
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 60_000);

  it('should type the paging parameters of GET /users as integers', () => {
    const params = (sut.paths['/users']?.get?.parameters ?? []) as {
      name: string;
      schema?: { type?: string };
    }[];
    expect(
      params.filter((p) => ['first', 'max'].includes(p.name)).map((p) => p.schema?.type),
    ).toEqual(['integer', 'integer']);
  });

  it('should declare security on every operation, [] where no bearer token is taken', () => {
    const operations = Object.values(sut.paths).flatMap((item) =>
      Object.values(item as Record<string, { security?: unknown[] }>),
    );
    expect(operations.filter((op) => op.security === undefined)).toEqual([]);
    expect(sut.paths['/health/live']?.get?.security).toEqual([]);
    expect(sut.paths['/users']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('should give each code of a status its own schema and example', () => {
    const response = sut.paths['/auth/session']?.get?.responses['401'] as {
      content: Record<string, { schema: unknown; examples: Record<string, unknown> }>;
    };
    const problem = response.content['application/problem+json'];
    expect(Object.keys(problem?.examples ?? {})).toEqual(
      expect.arrayContaining(['SESSION_MISSING', 'SESSION_EXPIRED', 'TOKEN_MISSING']),
    );
    expect(Object.keys(problem?.examples ?? {})).not.toContain('IDP_UNAVAILABLE');
    const example = sut.components?.examples?.[problemCodeSchemaName('FORBIDDEN_ROLE')] as {
      value: Record<string, unknown>;
    };
    expect(example.value).toMatchObject({
      code: 'FORBIDDEN_ROLE',
      status: 403,
      requiredRoles: ['admin'],
    });
  });

  it('should have an example for every code of every error table', () => {
    const codes = Object.values(ERROR_TABLES).flatMap((table) => Object.keys(table));
    const missing = codes.filter(
      (code) => sut.components?.examples?.[problemCodeSchemaName(code)] === undefined,
    );
    expect(missing).toEqual([]);
  });
});

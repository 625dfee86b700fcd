import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { validatingResponses } from './openapi-validator';
import { serve, type TestApp } from './serve';

export type { TestApp };

/**
 * The real AppModule wired exactly as main.ts wires it, served in-process. `env` overrides
 * variables for this app only (config is read while the module compiles).
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) {
      delete process.env[key];
    }
  }
  try {
    return await build();
  } finally {
    process.env = saved;
  }
}

async function build(): Promise<TestApp> {
  return serve(await Test.createTestingModule({ imports: [AppModule] }).compile());
}

/**
 * createTestApp, with every answer it gives through inject validated against its own OpenAPI
 * document (test/utils/openapi-validator.ts): an answer that breaks the document fails the test.
 */
export async function createValidatedTestApp(
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  return validatingResponses(await createTestApp(env));
}

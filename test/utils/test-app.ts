import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { AppModule } from '../../src/app.module';
import { configureApp, fastifyOptions } from '../../src/app.setup';
import { appConfig, type AppConfig } from '../../src/config/app.config';
import { sessionConfig } from '../../src/config/session.config';
import { createRootLogger } from '../../src/logging/logger';
import { PinoLoggerService } from '../../src/logging/pino-logger.service';

export interface TestApp {
  app: NestFastifyApplication;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

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
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const config = moduleRef.get<AppConfig>(appConfig.KEY);
  const logger = createRootLogger(config.logLevel);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    new FastifyAdapter(fastifyOptions(config, logger)),
    { logger: new PinoLoggerService(logger) },
  );
  await configureApp(app, config, sessionConfig().csrfHeader);
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  return {
    app,
    inject: (options) => fastify.inject(options),
    close: () => app.close(),
  };
}

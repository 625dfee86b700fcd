import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { configureApp, fastifyOptions } from '../../src/app.setup';
import { appConfig, type AppConfig } from '../../src/config/app.config';
import { sessionConfig, type SessionConfig } from '../../src/config/session.config';
import { createRootLogger } from '../../src/logging/logger';
import { PinoLoggerService } from '../../src/logging/pino-logger.service';

export interface TestApp {
  app: NestFastifyApplication;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * A compiled module served in-process as main.ts serves AppModule: the same Fastify options,
 * configureApp (validation pipe, problem+json filter, cookies, helmet), ready for inject. Its
 * config namespaces must be loaded.
 */
export async function serve(moduleRef: TestingModule): Promise<TestApp> {
  const config = moduleRef.get<AppConfig>(appConfig.KEY);
  const logger = createRootLogger(config.logLevel);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    new FastifyAdapter(fastifyOptions(config, logger)),
    { logger: new PinoLoggerService(logger) },
  );
  await configureApp(app, config, moduleRef.get<SessionConfig>(sessionConfig.KEY).csrfHeader);
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  return {
    app,
    inject: (options) => fastify.inject(options),
    close: () => app.close(),
  };
}

// First: tracing (when OTEL_* turns it on) must patch http and ioredis before they load.
import './tracing/register';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, fastifyOptions } from './app.setup';
import { appConfig } from './config/app.config';
import { loadEnvOrExit } from './config/load-env';
import { sessionConfig } from './config/session.config';
import { createRootLogger } from './logging/logger';
import { PinoLoggerService } from './logging/pino-logger.service';
import { MetricsServer } from './common/metrics/metrics.server';
import { installGracefulShutdown } from './shutdown';

async function bootstrap(): Promise<void> {
  // First, before anything awaits: AppModule decides on optional modules (BENCH_ROUTES) once
  // Nest resolves its imports, and .env must be in process.env by then.
  loadEnvOrExit('keycloak-bff', 1);

  const config = appConfig();
  const logger = createRootLogger(config.logLevel);
  try {
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule,
      new FastifyAdapter(fastifyOptions(config, logger)),
      { logger: new PinoLoggerService(logger), abortOnError: false },
    );
    await configureApp(app, config, sessionConfig().csrfHeader);
    installGracefulShutdown(app, logger, config.shutdownTimeoutMs, config.shutdownDrainMs);
    await app.listen(config.port, config.host);
    // After the public port: a BFF that cannot serve has nothing to report.
    await app.get(MetricsServer).start();
    logger.info({ port: config.port, host: config.host }, 'keycloak-bff listening');
  } catch (err: unknown) {
    logger.fatal({ err }, 'keycloak-bff failed to start');
    process.exit(1);
  }
}

void bootstrap();

import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import { ValidationPipe } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { validationExceptionFactory } from './common/validation/validation-exception.factory';
import type { AppConfig } from './config/app.config';
import { setupSwagger } from './docs/swagger';

export const REQUEST_ID_HEADER = 'x-request-id';

// Echoed into logs and headers: anything longer or stranger could forge log lines.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Options for the Fastify instance; used by main.ts and by tests, so both run the same server. */
export function fastifyOptions(config: AppConfig, logger: Logger): FastifyServerOptions {
  return {
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: requestIdFor,
    requestIdHeader: false,
    return503OnClosing: true,
    // On shutdown, idle keep-alive sockets close at once; busy ones finish their request.
    forceCloseConnections: 'idle',
  };
}

/**
 * Everything between "Nest app created" and "listening". `csrfHeader` is SESSION_CSRF_HEADER:
 * CORS must allow it, or every cross-origin state-changing call with the cookie fails.
 */
export async function configureApp(
  app: NestFastifyApplication,
  config: AppConfig,
  csrfHeader: string,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  // Parses Cookie and adds reply.setCookie; the session mode's cookies are unsigned opaque ids.
  await app.register(cookie);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI styles itself inline and shows the validator badge as a data: image.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // The BFF often runs on plain http behind a TLS proxy or on a laptop; upgrading
        // Swagger UI's requests to https there breaks it.
        upgradeInsecureRequests: null,
      },
    },
  });

  app.enableCors({
    // An empty allow-list means no cross-origin browser access at all.
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', csrfHeader],
    exposedHeaders: ['X-Request-Id', 'WWW-Authenticate', 'Retry-After'],
    maxAge: 600,
  });

  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());

  if (config.docsEnabled) {
    setupSwagger(app);
  }
}

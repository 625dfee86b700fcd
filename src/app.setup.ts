import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import { ValidationPipe } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyHttpOptions } from 'fastify';
import type { IncomingMessage, Server } from 'node:http';
import type { Logger } from 'pino';
import {
  answerWithProblem,
  ProblemDetailsFilter,
  REQUEST_ID_HEADER,
} from './common/filters/problem-details.filter';
import { answerOutsideFastify, clientErrorHandler } from './common/filters/raw-problem';
import { installDrain } from './common/http/drain';
import { limitJsonDepth } from './common/http/json-depth';
import { validationExceptionFactory } from './common/validation/validation-exception.factory';
import type { AppConfig } from './config/app.config';
import { setupSwagger } from './docs/swagger';
import { instrumentHttp } from './common/metrics/http-metrics';
import { MetricsService } from './common/metrics/metrics.service';
import { nameServerSpans } from './tracing/route-names';
import { installSamplingGate } from './tracing/sampling-gate';

export { REQUEST_ID_HEADER };

// Echoed into logs and headers: anything longer or stranger could forge log lines.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Options for the Fastify instance; used by main.ts and by tests, so both run the same server. */
export function fastifyOptions(config: AppConfig, logger: Logger): FastifyHttpOptions<Server> {
  return {
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // installDrain answers requests during shutdown: 503 SHUTTING_DOWN as problem+json.
    return503OnClosing: false,
    // On shutdown, idle keep-alive sockets close at once; busy ones finish their request.
    forceCloseConnections: 'idle',
    // Fastify turns Node's request timeout off; without it a slow body holds its socket forever.
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // How often Node looks for requests past their timeouts (its default: every 30 s).
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    // Errors before a request exists (bad request line, 408, 431) and Fastify's bad-URL and
    // parameter-length refusals: problem+json like every other error.
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => answerWithProblem(error, request, reply),
  };
}

/** Timeouts are enforced to within this much. */
export const TIMEOUT_CHECK_INTERVAL_MS = 500;

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
  instrumentHttp(fastify, app.get(MetricsService));
  nameServerSpans(fastify);
  installSamplingGate(fastify.server);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // Routes registered before Nest sets Fastify's error handler at init (CORS preflight, Swagger
  // UI) keep Fastify's default one: a body they fail to parse would get its plain JSON.
  fastify.addHook('onRoute', (route) => {
    route.errorHandler ??= (error, request, reply) => answerWithProblem(error, request, reply);
  });
  limitJsonDepth(fastify);
  installDrain(fastify, '/health/ready');
  answerOutsideFastify(fastify.server, requestIdFor);

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

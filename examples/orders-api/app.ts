import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AuthOptions } from './caller';
import type { OrdersApiConfig } from './config';
import { ApiError, type ErrorBody } from './errors';
import { Refusals } from './refusals';
import { ordersRoutes } from './routes/orders.routes';
import type { RouteDeps } from './routes/route-deps';
import { testModeRoutes } from './routes/test-modes.routes';
import { transferRoutes } from './routes/transfer.routes';
import type { TokenVerifier } from './token-verifier';

const ERROR_NAMES: Record<number, string> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

function errorBody(status: number, error: string, description: string): ErrorBody {
  return { error, error_description: description, status };
}

/** orders-api as a Fastify instance, not yet listening (tests use inject). */
export function buildApp(
  config: OrdersApiConfig,
  verifier: TokenVerifier,
  logger: FastifyServerOptions['logger'] = false,
): FastifyInstance {
  const app = Fastify({
    logger,
    // On close, idle keep-alive sockets go at once; busy ones finish their request.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Fastify's default removes unknown properties silently; an unknown field is an error here.
    ajv: { customOptions: { removeAdditional: false } },
  });
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });

  const auth: AuthOptions = {
    verifier,
    refusals: new Refusals(),
    realm: config.audience,
    clientId: config.clientId,
  };
  const deps: RouteDeps = { config, auth, closing: closing.signal };
  void app.register(ordersRoutes(deps));
  void app.register(transferRoutes(deps));
  void app.register(testModeRoutes(deps));

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(404, 'not_found', `No route ${request.method} ${request.url.split('?', 1)[0]}`),
      ),
  );

  app.setErrorHandler<Error & { statusCode?: number; validation?: unknown }>(
    (err, request, reply) => {
      if (err instanceof ApiError) {
        if (err.options.challenge !== undefined) {
          void reply.header('www-authenticate', err.options.challenge);
        }
        if (err.status >= 500) {
          request.log.warn({ err }, err.description);
        }
        return reply.code(err.status).send(err.body());
      }
      // Fastify's own refusals: schema validation, bad JSON, body too large, unknown media type.
      const status = err.statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        return reply
          .code(status)
          .send(errorBody(status, ERROR_NAMES[status] ?? 'invalid_request', err.message));
      }
      request.log.error({ err }, 'unexpected error');
      return reply.code(500).send(errorBody(500, 'server_error', 'Internal error'));
    },
  );

  return app;
}

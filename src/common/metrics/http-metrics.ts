import type { FastifyInstance } from 'fastify';
import { type MetricsService, UNMATCHED_ROUTE } from './metrics.service';

/**
 * Request duration by method, route template and status class, and requests in flight. The
 * route label is Fastify's matched template (`routeOptions.url`, `/users/:id`), never the path
 * the client sent; a request that matched no route is UNMATCHED_ROUTE. Fastify measures the
 * request itself (`reply.elapsedTime`), so nothing is stored per request.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: MetricsService): void {
  if (!metrics.enabled) {
    return;
  }
  fastify.addHook('onRequest', (_request, reply, done) => {
    metrics.httpRequestStarted();
    // 'close' comes once per response, also when the client went away before it was sent,
    // which onResponse does not see: the in-flight gauge must not drift up with aborts.
    reply.raw.once('close', () => metrics.httpRequestFinished());
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequestEnded(
      request.method,
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

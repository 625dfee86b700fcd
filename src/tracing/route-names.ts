import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';

/**
 * Set by startTracing: whether the tracer provider runs in this process, and the ratio the
 * sampling gate draws at (parentbased_traceidratio only; see sampling-gate.ts).
 */
export const tracingState: { active: boolean; gateRatio?: number } = { active: false };

/**
 * Names the HTTP server span after the matched route template (`POST /token-exchange`, attribute
 * `http.route`), never the raw path: the HTTP instrumentation reads the route from the request's
 * RPC metadata when the response ends. This one assignment per request is what @fastify/otel
 * would add besides two more spans per request; the bench measured those at about half the
 * guarded route's throughput (docs/observability.md).
 */
export function nameServerSpans(fastify: FastifyInstance): void {
  if (!tracingState.active) {
    return;
  }
  fastify.addHook('onRequest', (request, _reply, done) => {
    const metadata = getRPCMetadata(context.active());
    const route = request.routeOptions.url;
    if (metadata?.type === RPCType.HTTP && route !== undefined) {
      metadata.route = route;
    }
    done();
  });
}

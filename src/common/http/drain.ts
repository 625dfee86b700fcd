import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors/http-errors';

/** Where each server is in its shutdown: serving, draining (closing soon), or closed. */
const phases = new WeakMap<FastifyInstance, 'draining' | 'closed'>();

/**
 * Shutdown in two steps, for keep-alive clients. While draining, every answer says
 * `Connection: close`, so each client drops its connection after its current request instead of
 * reusing it while the server closes idle sockets under it (ECONNRESET), and readiness answers
 * 503 SHUTTING_DOWN so a load balancer sends new connections elsewhere. Once Fastify closes,
 * a request that still arrives on an open connection is answered 503 SHUTTING_DOWN
 * (problem+json, `Connection: close`) instead of Fastify's own plain 503.
 */
export function installDrain(fastify: FastifyInstance, readinessPath: string): void {
  fastify.addHook('preClose', (done) => {
    phases.set(fastify, 'closed');
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    const phase = phases.get(fastify);
    if (phase !== undefined) {
      void reply.header('connection', 'close');
    }
    // Unready from the start of the drain, so a load balancer stops sending new connections.
    if (phase === 'closed' || (phase === 'draining' && request.url === readinessPath)) {
      done(new HttpError('SHUTTING_DOWN', 'The BFF is shutting down; send the request again'));
      return;
    }
    done();
  });
}

/** Starts answering `Connection: close`; the caller closes the app after the drain period. */
export function startDraining(fastify: FastifyInstance): void {
  if (phases.get(fastify) === undefined) {
    phases.set(fastify, 'draining');
  }
}

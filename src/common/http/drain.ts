import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors/http-errors';

/** The servers that are closing. */
const closed = new WeakSet<FastifyInstance>();

/**
 * Once Fastify closes, a request that still arrives on an open connection is answered 503
 * SHUTTING_DOWN (problem+json, `Connection: close`) instead of Fastify's own plain 503.
 */
export function installDrain(fastify: FastifyInstance): void {
  fastify.addHook('preClose', (done) => {
    closed.add(fastify);
    done();
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (closed.has(fastify)) {
      void reply.header('connection', 'close');
      done(new HttpError('SHUTTING_DOWN', 'The BFF is shutting down; send the request again'));
      return;
    }
    done();
  });
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginCallback } from 'fastify';
import { authenticate } from '../caller';
import { ApiError } from '../errors';
import { type RouteDeps, seen } from './route-deps';

export const MAX_SLOW_MS = 120_000;

/** Answers that exist to test a proxy: a slow one and one that tries to set the BFF's cookies. */
export function testModeRoutes(deps: RouteDeps): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { ms: number } }>(
      '/slow',
      {
        onRequest: authenticate(deps.auth, 'read'),
        schema: {
          querystring: {
            type: 'object',
            required: ['ms'],
            properties: { ms: { type: 'integer', minimum: 0, maximum: MAX_SLOW_MS } },
          },
        },
      },
      async (request, reply) => {
        // A caller that gives up (a proxy's timeout) ends the wait, and so does shutdown.
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        const startedAt = Date.now();
        try {
          await sleep(request.query.ms, undefined, {
            signal: AbortSignal.any([gone.signal, deps.closing]),
          });
        } catch (err: unknown) {
          if (deps.closing.aborted) {
            throw new ApiError(503, 'shutting_down', 'orders-api is shutting down', { cause: err });
          }
          if (gone.signal.aborted) {
            // Nobody is left to answer.
            return reply.hijack();
          }
          throw err;
        }
        return reply.send({ waitedMs: Date.now() - startedAt, seen: seen(request, deps) });
      },
    );

    app.get(
      '/set-cookie',
      { onRequest: authenticate(deps.auth, 'read') },
      async (request, reply) => {
        const bff = deps.config.bffCookieName;
        const cookies = [
          // Must never reach the browser: they would replace or clear the BFF's session and
          // login-transaction cookies.
          `${bff}=set-by-orders-api; Path=/; Secure; HttpOnly; SameSite=Strict`,
          `${bff}-login=set-by-orders-api; Path=/; Secure; HttpOnly; SameSite=Lax`,
          // The API's own cookie, which a proxy may pass on.
          'orders-view=compact; Path=/; SameSite=Lax',
        ];
        return reply.header('set-cookie', cookies).send({
          cookies: cookies.map((line) => line.slice(0, line.indexOf('='))),
          seen: seen(request, deps),
        });
      },
    );
    done();
  };
}

import { randomUUID } from 'node:crypto';
import type { FastifyPluginCallback } from 'fastify';
import { authenticate, callerOf } from '../caller';
import { type RouteDeps, seen } from './route-deps';

export interface Order {
  id: string;
  item: string;
  quantity: number;
  status: 'placed' | 'shipped' | 'delivered';
}

export const SAMPLE_ORDERS: readonly Order[] = [
  { id: 'ord-1001', item: 'Darjeeling tea, 250 g', quantity: 2, status: 'delivered' },
  { id: 'ord-1002', item: 'Teapot, cast iron', quantity: 1, status: 'shipped' },
  { id: 'ord-1003', item: 'Tea cups (set of 4)', quantity: 1, status: 'placed' },
];

interface NewOrder {
  item: string;
  quantity: number;
}

/** The API proper: reading needs orders:read, creating needs orders:write; one public route. */
export function ordersRoutes(deps: RouteDeps): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { limit?: number } }>(
      '/orders',
      {
        onRequest: authenticate(deps.auth, 'read'),
        schema: {
          querystring: {
            type: 'object',
            properties: { limit: { type: 'integer', minimum: 0, maximum: 100 } },
          },
        },
      },
      (request, reply) =>
        reply.send({
          orders: SAMPLE_ORDERS.slice(0, request.query.limit ?? SAMPLE_ORDERS.length),
          seen: seen(request, deps),
        }),
    );

    // Nothing is stored: the new order is echoed, so the API stays stateless under load.
    app.post<{ Body: NewOrder }>(
      '/orders',
      {
        onRequest: authenticate(deps.auth, 'write'),
        schema: {
          body: {
            type: 'object',
            required: ['item', 'quantity'],
            additionalProperties: false,
            properties: {
              item: { type: 'string', minLength: 1, maxLength: 200 },
              quantity: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          },
        },
      },
      (request, reply) => {
        const order: Order & { owner: string | null } = {
          id: `ord-${randomUUID()}`,
          item: request.body.item,
          quantity: request.body.quantity,
          status: 'placed',
          owner: callerOf(request)?.claims.sub ?? null,
        };
        return reply.code(201).send({ order, received: request.body, seen: seen(request, deps) });
      },
    );

    // For the `none` and `user-or-none` policies: anyone may call; a token that comes must be
    // valid, and then the answer is personalised.
    app.get('/public/info', { onRequest: authenticate(deps.auth) }, (request, reply) => {
      const name = callerOf(request)?.claims.preferred_username;
      return reply.send({
        service: 'orders-api',
        greeting: typeof name === 'string' ? `Hello, ${name}` : 'Hello, guest',
        seen: seen(request, deps),
      });
    });
    done();
  };
}

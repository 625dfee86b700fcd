import type { FastifyRequest } from 'fastify';
import { type AuthOptions, callerOf } from '../caller';
import type { OrdersApiConfig } from '../config';
import { describeRequest, type Seen } from '../seen';

/** What every route module gets from buildApp. */
export interface RouteDeps {
  config: OrdersApiConfig;
  auth: AuthOptions;
  /** Aborted when the server starts closing, so long waits end instead of holding it up. */
  closing: AbortSignal;
}

export function seen(request: FastifyRequest, deps: RouteDeps): Seen {
  return describeRequest(request, callerOf(request), {
    csrfHeader: deps.config.csrfHeader,
    clientId: deps.config.clientId,
  });
}

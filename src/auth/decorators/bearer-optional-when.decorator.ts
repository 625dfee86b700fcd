import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export const BEARER_OPTIONAL_WHEN_KEY = 'keycloak-bff:bearerOptionalWhen';

export type BearerOptionalPredicate = (request: FastifyRequest) => boolean;

/**
 * Lets a request through the global guard without a bearer token when the predicate holds (the
 * request carries another credential the handler checks, e.g. an external token to exchange).
 * A bearer token that *is* sent is still verified.
 */
export const BearerOptionalWhen = (
  predicate: BearerOptionalPredicate,
): MethodDecorator & ClassDecorator => SetMetadata(BEARER_OPTIONAL_WHEN_KEY, predicate);

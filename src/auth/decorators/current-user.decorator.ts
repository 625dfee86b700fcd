import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../authenticated-user';

/** The verified caller; only on routes behind the JWT guard. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedUser => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    if (!request.user) {
      // A route that forgot to be guarded must fail loudly, not run as nobody.
      throw new Error('@CurrentUser() used on a route without an authenticated user');
    }
    return request.user;
  },
);

/** The verified caller if a bearer token was sent; for routes marked @BearerOptionalWhen(). */
export const OptionalCurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedUser | undefined =>
    ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>().user,
);

import { type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '../../common/clock/clock';
import { authConfig } from '../../config/auth.config';
import { keycloakConfig } from '../../config/keycloak.config';
import { JwksService } from '../../keycloak/jwks.service';
import { SessionAuthenticator } from '../../session/session-authenticator';
import type { AuthenticatedUser } from '../authenticated-user';
import {
  BEARER_OPTIONAL_WHEN_KEY,
  type BearerOptionalPredicate,
} from '../decorators/bearer-optional-when.decorator';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';
import { toTokenError } from '../token-errors';
import { extractBearer, JWT_STRATEGY } from './jwt.strategy';
import { kidOf, VerifiedTokenCache } from './verified-token.cache';

type GuardedRequest = FastifyRequest & { user?: AuthenticatedUser };

/**
 * The global guard: every route needs a valid Keycloak access token unless it is @Public(). The
 * token comes from `Authorization: Bearer`, or, when there is none, from the server-side
 * session the session cookie names (cookie-session mode); a bearer token wins when both come.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  private readonly cache: VerifiedTokenCache;
  private readonly expected: { issuer: string; audience: string };

  constructor(
    private readonly reflector: Reflector,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    @Inject(keycloakConfig.KEY) keycloak: ConfigType<typeof keycloakConfig>,
    jwks: JwksService,
    clock: Clock,
    @Optional() private readonly sessions?: SessionAuthenticator,
  ) {
    super();
    this.cache = new VerifiedTokenCache(auth.tokenCacheSize, (kid) => jwks.has(kid), clock);
    // A key the realm dropped takes the tokens it signed out of the cache at once.
    jwks.onKeysRemoved((kids) => this.cache.dropKeys(kids));
    this.expected = { issuer: keycloak.expectedIssuer, audience: auth.audience };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) {
      return true;
    }
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const token = extractBearer(request);
    // An external token to exchange is its own credential; a cookie there would only add CSRF.
    if (!token && this.bearerOptional(context, request)) {
      return true;
    }
    if (!token && this.sessions?.hasCookie(request)) {
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      request.user = (await this.sessions.authenticate(request, reply)).user;
      return true;
    }
    const cached = token ? this.cache.get(token) : undefined;
    if (cached) {
      request.user = cached;
      return true;
    }
    await (super.canActivate(context) as Promise<boolean>);
    if (token && request.user) {
      // The strategy returns claims and roles; the raw token is added here, once verified.
      request.user = { ...request.user, accessToken: token };
      this.cache.set(token, request.user, kidOf(token));
    }
    return true;
  }

  private bearerOptional(context: ExecutionContext, request: FastifyRequest): boolean {
    const predicate = this.reflector.get<BearerOptionalPredicate | undefined>(
      BEARER_OPTIONAL_WHEN_KEY,
      context.getHandler(),
    );
    return predicate?.(request) ?? false;
  }

  override handleRequest<TUser = AuthenticatedUser>(
    err: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    if (err || !user) {
      throw toTokenError(err ?? info, this.expected);
    }
    return user;
  }
}

import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, AuthModuleOptions } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../authenticated-user';
import {
  BEARER_OPTIONAL_WHEN_KEY,
  type BearerOptionalPredicate,
} from '../decorators/bearer-optional-when.decorator';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';
import { firstFailure } from '../credential-pipeline';
import { extractBearer, JwtStrategy } from './jwt.strategy';

type GuardedRequest = FastifyRequest & { user?: AuthenticatedUser };

/**
 * The global guard: every route needs a caller unless it is @Public(). The caller comes from a
 * pipeline of credential sources, passport strategies tried in the order the app lists them
 * (AuthModule.forRoot in AppModule: the bearer token, then the session cookie). Each source:
 *
 * - finds no credential of its kind: fails, and the next source is tried;
 * - accepts its credential: succeeds, and that is the caller;
 * - refuses its credential: errs, which ends the pipeline with that refusal, so a bad bearer
 *   token is never rescued by a cookie that came with it.
 *
 * When no source finds a credential, the answer is the first source's failure: 401
 * TOKEN_MISSING with the bearer challenge (passport itself would hand over every source's
 * failure and leave the choice here).
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard() {
  constructor(
    private readonly reflector: Reflector,
    private readonly bearer: JwtStrategy,
    @Inject(AuthModuleOptions) options: AuthModuleOptions,
  ) {
    super(options);
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
    if (token) {
      // The hot path: the first source's answer for a token it verified recently, without
      // passport's per-request set-up. Sound because the bearer source comes first.
      const known = this.bearer.remembered(token);
      if (known) {
        request.user = known;
        return true;
      }
    } else if (this.bearerOptional(context, request)) {
      // An external token to exchange is its own credential: no other source is asked (a cookie
      // there would only add CSRF).
      return true;
    }
    return super.canActivate(context) as Promise<boolean>;
  }

  private bearerOptional(context: ExecutionContext, request: FastifyRequest): boolean {
    const predicate = this.reflector.get<BearerOptionalPredicate | undefined>(
      BEARER_OPTIONAL_WHEN_KEY,
      context.getHandler(),
    );
    return predicate?.(request) ?? false;
  }

  /** passport's verdict: a source's refusal as is; no credential as the first source's failure. */
  override handleRequest<TUser = AuthenticatedUser>(
    err: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    if (err) {
      // Sources err with our problem errors; anything else is a bug, a bare 500.
      throw err instanceof Error ? err : new Error('A credential source failed', { cause: err });
    }
    if (!user) {
      throw firstFailure(info);
    }
    return user;
  }
}

import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthModuleOptions } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import passport from 'passport';
import type { AuthenticatedUser } from './authenticated-user';
import { extractBearer, JwtStrategy } from './guards/jwt.strategy';

/** The pipeline's verdict: a caller, or no credential of any kind (and the first source's refusal for that case). */
export type CredentialVerdict =
  { readonly user: AuthenticatedUser } | { readonly user?: undefined; readonly missing: Error };

/**
 * The global guard's credential sources (AuthModule.forRoot's list, in order), for requests the
 * guard does not see: the API proxy's routes are plain Fastify routes (their bodies stream, so no
 * Nest handler may parse them). Same rules as AuthenticationGuard: the first source that finds
 * its credential decides; a refusal ends the pipeline; a token verified recently is answered
 * from the bearer source's memory without passport's set-up.
 */
@Injectable()
export class CredentialPipeline {
  private readonly sources: string[];
  /** The sources after the bearer token's: all that can find a credential when none came. */
  private readonly otherSources: string[];

  constructor(
    private readonly bearer: JwtStrategy,
    @Inject(AuthModuleOptions) options: AuthModuleOptions,
  ) {
    const names = options.defaultStrategy ?? [];
    this.sources = Array.isArray(names) ? [...names] : [names];
    this.otherSources = this.sources.slice(1);
  }

  /** Rejects with the refusing source's error (e.g. TOKEN_EXPIRED, CSRF_HEADER_MISSING). */
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<CredentialVerdict> {
    const token = extractBearer(request);
    if (token) {
      const known = this.bearer.remembered(token);
      if (known) {
        return Promise.resolve({ user: known });
      }
      return this.run(this.sources, request, reply);
    }
    // No bearer token: the bearer source would only fail. Its failure (TOKEN_MISSING) is the
    // answer only when no other source finds a credential either, so it is made only then: a
    // session's every proxied call would otherwise pay for an error object it never uses.
    if (this.otherSources.length === 0) {
      return Promise.resolve({ missing: this.bearer.missing() });
    }
    return this.run(this.otherSources, request, reply).then((verdict) =>
      verdict.user ? verdict : { missing: this.bearer.missing() },
    );
  }

  private run(
    sources: string[],
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<CredentialVerdict> {
    return new Promise((resolve, reject) => {
      const callback = (err: unknown, user: AuthenticatedUser | false, info: unknown): void => {
        if (err) {
          reject(
            err instanceof Error ? err : new Error('A credential source failed', { cause: err }),
          );
        } else if (user) {
          resolve({ user });
        } else {
          resolve({ missing: firstFailure(info) });
        }
      };
      // passport's middleware signature; its strategies only read the request (headers, cookies).
      const middleware = passport.authenticate(sources, { session: false }, callback) as (
        req: unknown,
        res: unknown,
        next: (err?: unknown) => void,
      ) => void;
      middleware(request, reply, (err?: unknown) =>
        reject(err instanceof Error ? err : new Error('passport called next', { cause: err })),
      );
    });
  }
}

/** With several strategies passport reports their failures as a list, in the order tried. */
export function firstFailure(info: unknown): Error {
  const failures: unknown[] = Array.isArray(info) ? info : [info];
  return failures.find((failure) => failure instanceof Error) ?? new UnauthorizedException();
}

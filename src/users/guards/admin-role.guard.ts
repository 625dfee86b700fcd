import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { ForbiddenRoleError } from '../../auth/auth.errors';
import type { AuthenticatedUser } from '../../auth/authenticated-user';
import { adminConfig } from '../../config/admin.config';

/** The admin role is configuration (ADMIN_ROLE), so it cannot be a static @Roles() argument. */
@Injectable()
export class AdminRoleGuard implements CanActivate {
  constructor(@Inject(adminConfig.KEY) private readonly admin: ConfigType<typeof adminConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const user = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: AuthenticatedUser }>().user;
    if (user?.roles.includes(this.admin.role)) {
      return true;
    }
    throw new ForbiddenRoleError([this.admin.role]);
  }
}

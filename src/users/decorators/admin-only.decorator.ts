import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../common/swagger/problem.schema';
import { BEARER_SCHEME } from '../../docs/security-schemes';
import { AdminRoleGuard } from '../guards/admin-role.guard';

/** Requires the configured admin role (ADMIN_ROLE, default realm role `admin`). */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseGuards(AdminRoleGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiProblemResponses(401, 403, 502, 503, 504),
  );

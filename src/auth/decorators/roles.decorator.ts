import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { BEARER_SCHEME } from '../../docs/security-schemes';
import { ApiProblemResponses } from '../../common/swagger/problem.schema';

export const ROLES_KEY = 'keycloak-bff:roles';

/**
 * The caller needs at least one of these roles: realm roles by name (`admin`), client roles as
 * `client:role` (`orders-api:orders:read`). Documents the bearer scheme and the 401/403 answers.
 */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(BEARER_SCHEME),
    ApiProblemResponses(401, 403),
  );

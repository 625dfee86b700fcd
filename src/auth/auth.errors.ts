import { errorClass, errorTable } from '../common/errors/problem.error';

/**
 * Codes of the auth module's own refusals; Keycloak's refusals and the token checks are the
 * Keycloak layer's (KEYCLOAK_ERRORS). docs/errors.md lists each with its meaning.
 */
export const AUTH_ERRORS = errorTable({
  FORBIDDEN_ROLE: [403, 'Missing role'],
  RATE_LIMITED: [429, 'Too many login attempts'],
});

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

/** Every refusal of the auth module: the status and title follow from the code. */
export class AuthError extends errorClass(AUTH_ERRORS) {}

export class ForbiddenRoleError extends AuthError {
  constructor(required: string[]) {
    super('FORBIDDEN_ROLE', `This endpoint requires one of the roles: ${required.join(', ')}`, {
      hint: 'Realm roles are named plainly (admin), client roles as client:role (orders-api:orders:read).',
      extensions: { requiredRoles: required },
    });
  }
}

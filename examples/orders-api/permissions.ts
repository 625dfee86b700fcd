import type { AccessClaims } from './token-verifier';

/**
 * What each kind of route needs. A permission is granted by a scope of that name in `scope` or
 * by a client role of that name on orders-api's client (`resource_access`), so both styles of
 * authorization server work: Keycloak hands out client roles, others hand out scopes.
 */
export const PERMISSIONS = {
  read: 'orders:read',
  write: 'orders:write',
} as const;
export type Access = keyof typeof PERMISSIONS;

/** The client roles the token holds on `clientId`. */
export function clientRoles(claims: AccessClaims, clientId: string): string[] {
  const roles = claims.resource_access?.[clientId]?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

export function scopesOf(claims: AccessClaims): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
}

export function grants(claims: AccessClaims, clientId: string, access: Access): boolean {
  const permission = PERMISSIONS[access];
  return (
    scopesOf(claims).includes(permission) || clientRoles(claims, clientId).includes(permission)
  );
}

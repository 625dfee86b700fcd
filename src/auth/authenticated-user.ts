import type { JwtPayload } from 'jsonwebtoken';

/** Claims of a verified Keycloak access token. */
export interface AccessTokenClaims extends JwtPayload {
  sub: string;
  iss: string;
  exp: number;
  azp?: string;
  scope?: string;
  preferred_username?: string;
  realm_access?: { roles?: string[] };
  resource_access?: Record<string, { roles?: string[] }>;
}

/** What guarded handlers get through @CurrentUser(). */
export interface AuthenticatedUser {
  claims: AccessTokenClaims;
  /** Realm roles as `admin`, client roles as `client:role`. */
  roles: string[];
  /** The verified bearer token, for calls made on the user's behalf (userinfo, exchange). */
  accessToken: string;
  /**
   * True when the session cookie authenticated the caller: its tokens live on the server and
   * must never be handed to the browser.
   */
  viaSession?: boolean;
  /**
   * True when Keycloak's introspection described the token (AUTH_INTROSPECTION): the claims
   * are its answer's, and the token itself may be lightweight or opaque, which userinfo refuses.
   */
  introspected?: boolean;
}

export function rolesOf(claims: AccessTokenClaims): string[] {
  const realm = claims.realm_access?.roles ?? [];
  const clients = Object.entries(claims.resource_access ?? {}).flatMap(([client, access]) =>
    (access.roles ?? []).map((role) => `${client}:${role}`),
  );
  return [...realm, ...clients];
}

/** The caller an introspection answer describes; `claims` are the answer's, not the token's. */
export function introspectedCallerOf(
  claims: AccessTokenClaims,
  accessToken: string,
): AuthenticatedUser {
  return { claims, roles: rolesOf(claims), accessToken, introspected: true };
}

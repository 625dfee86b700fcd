/** What the server keeps per browser session; sealed with AES-256-GCM before it is stored. */
export interface SessionRecord {
  sub: string;
  /** Keycloak's session id (`sid` of the ID token): back-channel logout names it. */
  sid?: string;
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch ms. */
  accessExpiresAt: number;
  accessLifetimeMs: number;
  /** Epoch ms; absent when Keycloak gave no limit (offline tokens). */
  refreshExpiresAt?: number;
  createdAt: number;
  /** The ID token's user claims, for GET /auth/session. */
  userClaims: Record<string, unknown>;
}

/** A login between GET /auth/login and GET /auth/callback. */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** This login is already the restart of one Keycloak could not finish: no second restart. */
  restarted?: boolean;
  /** `prompt=none`: Keycloak must not show a page; its refusal goes back to returnTo. */
  silent?: boolean;
}

/** A loaded session: the store key, the record, and when it was last used (epoch ms). */
export interface LoadedSession {
  key: string;
  record: SessionRecord;
  lastSeenAt: number;
}

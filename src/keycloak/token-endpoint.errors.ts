import type { ProblemError } from '../common/errors/problem.error';
import { KeycloakError, KeycloakResponseError, keptFrom } from './keycloak.errors';
import { TokenRejectedError } from './token.errors';

/**
 * What the BFF asked the token endpoint for. `master_admin` is ADMIN_TOKEN_MODE=master-admin's
 * password grant for admin-cli in the master realm: not the BFF's client, so not its hints.
 */
export type TokenOperation =
  'login' | 'refresh' | 'logout' | 'client_credentials' | 'master_admin' | 'exchange';

interface Rule {
  error: string | RegExp;
  description?: RegExp;
  operations?: TokenOperation[];
  make: (e: KeycloakResponseError, clientId: string) => ProblemError;
}

const misconfigured = (e: KeycloakResponseError, detail: string, hint: string): ProblemError =>
  new KeycloakError('BFF_CLIENT_MISCONFIGURED', detail, { hint, ...keptFrom(e) });

/**
 * What Keycloak's token and logout endpoints say, and what we answer. First match wins; the
 * descriptions are Keycloak's own texts (stable across 2x releases).
 */
const TOKEN_RULES: Rule[] = [
  {
    // Whatever Keycloak refuses here, the caller did nothing wrong: the admin login is the
    // BFF's own configuration (KEYCLOAK_ADMIN_*), and its client is admin-cli, not ours.
    error: /^(invalid_grant|invalid_client|unauthorized_client)$/,
    operations: ['master_admin'],
    make: (e) =>
      misconfigured(
        e,
        `Keycloak refused the master-realm admin login the BFF uses for the Admin API (ADMIN_TOKEN_MODE=master-admin): ${e.upstream?.error_description ?? e.upstream?.error ?? 'refused'}`,
        'Check KEYCLOAK_ADMIN_USERNAME and KEYCLOAK_ADMIN_PASSWORD: an enabled user of the master realm with the admin role, whose login client admin-cli allows direct access grants. Or drop the admin password altogether with ADMIN_TOKEN_MODE=service-account.',
      ),
  },
  {
    error: /^(invalid_client|unauthorized_client)$/,
    description: /invalid client/i,
    make: (e, clientId) =>
      misconfigured(
        e,
        `Keycloak rejected the BFF's client credentials (client '${clientId}')`,
        `Check KEYCLOAK_CLIENT_ID and KEYCLOAK_CLIENT_SECRET against the Credentials tab of client '${clientId}'; the client must be confidential (Client authentication on).`,
      ),
  },
  {
    error: 'unauthorized_client',
    description: /direct access grants/i,
    make: (e, clientId) =>
      misconfigured(
        e,
        `Client '${clientId}' may not use the password grant`,
        `Enable "Direct access grants" on client '${clientId}' (Clients → ${clientId} → Settings → Capability config).`,
      ),
  },
  {
    error: 'unauthorized_client',
    description: /service account/i,
    make: (e, clientId) =>
      misconfigured(
        e,
        `Client '${clientId}' has no service account`,
        `Enable "Service accounts roles" on client '${clientId}'.`,
      ),
  },
  {
    error: 'invalid_grant',
    description: /invalid user credentials/i,
    make: (e) =>
      new KeycloakError('INVALID_CREDENTIALS', 'Wrong username or password', keptFrom(e)),
  },
  {
    error: 'invalid_grant',
    description: /account (is )?temporarily (disabled|locked)/i,
    make: (e) =>
      new KeycloakError(
        'ACCOUNT_DISABLED',
        'The account is temporarily locked after too many failed logins',
        {
          hint: 'Wait for the lock to expire, or ask an administrator to unlock the user.',
          ...keptFrom(e),
        },
      ),
  },
  {
    error: 'invalid_grant',
    description: /account disabled|user (is )?disabled/i,
    make: (e) =>
      new KeycloakError('ACCOUNT_DISABLED', 'The account is disabled', {
        hint: 'An administrator must enable the user.',
        ...keptFrom(e),
      }),
  },
  {
    error: 'invalid_grant',
    description: /not fully set up/i,
    make: (e) =>
      new KeycloakError(
        'ACCOUNT_NOT_FULLY_SET_UP',
        'The account has pending required actions or missing profile fields',
        {
          hint: 'Complete the pending required actions (e.g. update password, verify email) or fill the required profile fields (email, first and last name) in Keycloak; the password grant cannot do it.',
          ...keptFrom(e),
        },
      ),
  },
  {
    error: 'invalid_grant',
    description: /session not active|session doesn't have required client|user session not found/i,
    make: (e) =>
      new TokenRejectedError(
        'SESSION_NOT_ACTIVE',
        'The Keycloak session of this token has ended (logout, expiry or admin action)',
        { hint: 'Log in again.', ...keptFrom(e) },
      ),
  },
  {
    error: 'invalid_grant',
    operations: ['refresh', 'logout'],
    make: (e) =>
      new KeycloakError(
        'INVALID_REFRESH_TOKEN',
        `Keycloak refused the refresh token: ${e.upstream?.error_description ?? 'invalid'}`,
        { hint: 'Log in again.', ...keptFrom(e) },
      ),
  },
  {
    error: 'invalid_grant',
    operations: ['login'],
    make: (e) =>
      new KeycloakError(
        'INVALID_CREDENTIALS',
        `Keycloak refused the login: ${e.upstream?.error_description ?? 'invalid grant'}`,
        keptFrom(e),
      ),
  },
  {
    error: 'invalid_scope',
    make: (e) =>
      new KeycloakError(
        'INVALID_SCOPE',
        e.upstream?.error_description ?? 'Keycloak refused the requested scope',
        { hint: 'Request only client scopes assigned to the client.', ...keptFrom(e) },
      ),
  },
];

/** Maps a failed token/logout call to our codes; anything unmatched is rethrown as it came. */
export function mapTokenEndpointError(
  err: unknown,
  operation: TokenOperation,
  clientId: string,
): unknown {
  if (!(err instanceof KeycloakResponseError)) {
    return err;
  }
  const error = err.upstream?.error ?? '';
  const description = err.upstream?.error_description ?? '';
  const rule = TOKEN_RULES.find(
    (r) =>
      (typeof r.error === 'string' ? r.error === error : r.error.test(error)) &&
      (r.description?.test(description) ?? true) &&
      (r.operations?.includes(operation) ?? true),
  );
  if (rule) {
    return rule.make(err, clientId);
  }
  if (err.upstream?.status === 404) {
    return new KeycloakError('REALM_NOT_FOUND', 'Keycloak answered 404 at the token endpoint', {
      hint: 'Check KEYCLOAK_REALM and KEYCLOAK_URL.',
      ...keptFrom(err),
    });
  }
  return err;
}

/** Userinfo refusals: 403 insufficient_scope is the classic token-without-openid mistake. */
export function mapUserinfoError(err: unknown): unknown {
  if (!(err instanceof KeycloakResponseError)) {
    return err;
  }
  const { status, error, error_description: description } = err.upstream ?? {};
  if (status === 403 && (error === 'insufficient_scope' || /openid/i.test(description ?? ''))) {
    return new KeycloakError(
      'MISSING_OPENID_SCOPE',
      "Keycloak's userinfo endpoint refuses tokens issued without the 'openid' scope",
      {
        hint: 'Request the token with scope=openid (POST /auth/login always does).',
        ...keptFrom(err),
      },
    );
  }
  if (status === 401) {
    const session = /session/i.test(description ?? '');
    return new TokenRejectedError(
      session ? 'SESSION_NOT_ACTIVE' : 'TOKEN_NOT_ACTIVE',
      `Keycloak no longer accepts this token: ${description ?? error ?? 'invalid_token'}`,
      { hint: 'Log in again.', ...keptFrom(err) },
    );
  }
  return err;
}

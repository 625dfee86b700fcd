import {
  AdminPermissionMissingError,
  type KeycloakClientSettings,
  type KeycloakRealmSettings,
} from '../keycloak/keycloak-admin.client';
import type { KeycloakSettings } from './keycloak-settings';

/** Test data for the checks' unit tests (not built into dist: see tsconfig.build.json). */

/** The demo realm's settings, as the Admin API reads them. */
export const realmSettings = (
  over: Partial<KeycloakRealmSettings> = {},
): KeycloakRealmSettings => ({
  realm: 'demo',
  accessTokenLifespan: 300,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  revokeRefreshToken: false,
  refreshTokenMaxReuse: 0,
  attributes: {},
  ...over,
});

/** The demo realm's `bff` client, session-ready. */
export const clientSettings = (
  over: Partial<KeycloakClientSettings> = {},
): KeycloakClientSettings => ({
  id: 'c-1',
  clientId: 'bff',
  standardFlowEnabled: true,
  frontchannelLogout: false,
  redirectUris: ['http://127.0.0.1:3000/*'],
  attributes: {
    'pkce.code.challenge.method': 'S256',
    'backchannel.logout.url': 'http://127.0.0.1:3000/auth/backchannel-logout',
    'backchannel.logout.session.required': 'true',
  },
  defaultClientScopes: ['basic', 'profile', 'email'],
  optionalClientScopes: ['offline_access'],
  ...over,
});

export const refused = (role = 'view-clients'): AdminPermissionMissingError =>
  new AdminPermissionMissingError('bff', undefined, [role]);

/**
 * A KeycloakSettings whose reads answer the fixtures above (override per test), with a plain
 * `unreadable` row (the real one is KeycloakSettings' own spec's business).
 */
export function fakeSettings() {
  const realm: jest.MockedFunction<KeycloakSettings['realm']> = jest.fn();
  const client: jest.MockedFunction<KeycloakSettings['client']> = jest.fn();
  const clientScopes: jest.MockedFunction<KeycloakSettings['clientScopes']> = jest.fn();
  const lightweightAccessTokens: jest.MockedFunction<KeycloakSettings['lightweightAccessTokens']> =
    jest.fn();
  realm.mockResolvedValue(realmSettings());
  client.mockResolvedValue(clientSettings());
  clientScopes.mockResolvedValue([
    { id: 's-basic', name: 'basic' },
    { id: 's-profile', name: 'profile' },
  ]);
  lightweightAccessTokens.mockResolvedValue(false);
  const unreadable = (what: string, err: unknown) => ({
    status: 'WARN' as const,
    found: `Could not read the ${what}: ${err instanceof Error ? err.message : String(err)}`,
  });
  return { realm, client, clientScopes, lightweightAccessTokens, unreadable };
}

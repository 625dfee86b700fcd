import {
  AdminPermissionMissingError,
  type KeycloakAdminClient,
  type KeycloakClientSettings,
  type KeycloakRealmSettings,
} from '../keycloak/keycloak-admin.client';
import { KeycloakSettings } from './keycloak-settings';

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

type Reads = 'realm' | 'client' | 'clientScopes' | 'lightweightAccessTokens';

/**
 * A real KeycloakSettings (realm 'demo', client 'bff', service-account mode) whose reads answer
 * the fixtures above; each read is a mock to override per test.
 */
export function fakeSettings(): KeycloakSettings & {
  [K in Reads]: jest.MockedFunction<KeycloakSettings[K]>;
} {
  const sut = new KeycloakSettings(
    {} as KeycloakAdminClient,
    { realm: 'demo', clientId: 'bff' },
    { tokenMode: 'service-account' },
  );
  jest.spyOn(sut, 'realm').mockResolvedValue(realmSettings());
  jest.spyOn(sut, 'client').mockResolvedValue(clientSettings());
  jest.spyOn(sut, 'clientScopes').mockResolvedValue([
    { id: 's-basic', name: 'basic' },
    { id: 's-profile', name: 'profile' },
  ]);
  jest.spyOn(sut, 'lightweightAccessTokens').mockResolvedValue(false);
  return sut as ReturnType<typeof fakeSettings>;
}

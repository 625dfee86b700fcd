import type { AdminTokenMode } from '../config/admin.config';
import {
  AdminPermissionMissingError,
  type KeycloakAdminClient,
} from '../keycloak/keycloak-admin.client';
import { IdpUnavailableError } from '../keycloak/keycloak.errors';
import { KeycloakSettings } from './keycloak-settings';
import { clientSettings, realmSettings } from './keycloak-settings.fixture';

function setup(tokenMode: AdminTokenMode = 'service-account') {
  const getRealmSettings: jest.MockedFunction<KeycloakAdminClient['getRealmSettings']> = jest.fn();
  const findClient: jest.MockedFunction<KeycloakAdminClient['findClient']> = jest.fn();
  const listClientScopes: jest.MockedFunction<KeycloakAdminClient['listClientScopes']> = jest.fn();
  const sut = new KeycloakSettings(
    { getRealmSettings, findClient, listClientScopes },
    { realm: 'demo', clientId: 'bff' },
    { tokenMode },
  );
  return { sut, getRealmSettings, findClient, listClientScopes };
}

describe(KeycloakSettings.name, () => {
  it('should read the realm, the client and the scopes once per run, however many checks ask', async () => {
    const { sut, getRealmSettings, findClient, listClientScopes } = setup();
    getRealmSettings.mockResolvedValue(realmSettings());
    findClient.mockResolvedValue(clientSettings());
    listClientScopes.mockResolvedValue([]);
    await Promise.all([sut.realm(), sut.realm(), sut.client(), sut.client()]);
    await sut.clientScopes();
    await sut.clientScopes();
    expect(getRealmSettings).toHaveBeenCalledTimes(1);
    expect(findClient).toHaveBeenCalledTimes(1);
    expect(findClient).toHaveBeenCalledWith('bff');
    expect(listClientScopes).toHaveBeenCalledTimes(1);
  });

  it('should take an empty client list as a missing view-clients: the client is known to exist', async () => {
    const { sut, findClient } = setup();
    findClient.mockResolvedValue(undefined);
    await expect(sut.client()).rejects.toMatchObject({
      code: 'ADMIN_PERMISSION_MISSING',
      roles: ['view-clients'],
    });
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('should read lightweight access tokens %s from the client attribute', async (value, on) => {
    const { sut, findClient } = setup();
    findClient.mockResolvedValue(
      clientSettings({ attributes: { 'client.use.lightweight.access.token.enabled': value } }),
    );
    await expect(sut.lightweightAccessTokens()).resolves.toBe(on);
  });

  it('should not know about lightweight tokens when the client cannot be read', async () => {
    const { sut, findClient } = setup();
    findClient.mockRejectedValue(new AdminPermissionMissingError('bff'));
    await expect(sut.lightweightAccessTokens()).resolves.toBeUndefined();
  });

  it('should warn about unreadable settings with the kcadm.sh grant for the service account', () => {
    const { sut } = setup();
    const err = new AdminPermissionMissingError('bff', undefined, ['view-realm']);
    expect(sut.unreadable("realm's settings", err)).toEqual({
      status: 'WARN',
      found: `Could not read the realm's settings through the Admin API: ${err.detail}`,
      fix: expect.stringContaining(
        'Grant realm-management view-realm and view-clients to service-account-bff',
      ),
      kcadm: [
        'kcadm.sh add-roles -r demo --uusername service-account-bff --cclientid realm-management --rolename view-realm --rolename view-clients',
      ],
    });
  });

  it.each([
    ['a master admin lacking permissions', 'master-admin', new AdminPermissionMissingError('bff')],
    [
      'an unreachable Keycloak',
      'service-account',
      new IdpUnavailableError('admin', 'ECONNREFUSED'),
    ],
  ] as const)('should not grant roles for %s', (_, mode, err) => {
    const { sut } = setup(mode);
    const outcome = sut.unreadable("realm's settings", err);
    expect(outcome.status).toBe('WARN');
    expect(outcome).not.toHaveProperty('kcadm');
  });
});

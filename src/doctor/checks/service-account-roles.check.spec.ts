import { sign } from 'jsonwebtoken';
import type { AdminTokenMode } from '../../config/admin.config';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import type { KeycloakSettings } from '../keycloak-settings';
import { ServiceAccountRolesCheck } from './service-account-roles.check';

const withRoles = (roles: string[]): KeycloakTokenResponse => ({
  access_token: sign({ resource_access: { 'realm-management': { roles } } }, 'unused'),
  expires_in: 300,
  token_type: 'Bearer',
});

const lightweightAccessTokens: jest.MockedFunction<KeycloakSettings['lightweightAccessTokens']> =
  jest.fn(() => Promise.resolve(false));

const setup = (tokenMode: AdminTokenMode = 'service-account') =>
  new ServiceAccountRolesCheck({ tokenMode }, { clientId: 'bff' }, { lightweightAccessTokens });

describe(ServiceAccountRolesCheck.name, () => {
  it('should skip when the admin endpoints use the master admin', async () => {
    const sut = setup('master-admin');
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken: withRoles([]) }),
    ).resolves.toEqual({
      status: 'SKIP',
      found: 'ADMIN_TOKEN_MODE=master-admin',
    });
  });

  it('should skip without a service-account token, even with a user token', async () => {
    const sut = setup();
    await expect(sut.run({ clientAuthenticated: true, userToken: withRoles([]) })).resolves.toEqual(
      {
        status: 'SKIP',
        found: 'Needs a service-account token',
      },
    );
  });

  it('should pass with both roles', async () => {
    const sut = setup();
    const serviceToken = withRoles(['manage-users', 'view-users', 'query-users']);
    await expect(sut.run({ clientAuthenticated: true, serviceToken })).resolves.toEqual({
      status: 'PASS',
      found: 'service-account-bff has view-users and query-users',
    });
  });

  it.each([
    [['view-users'], 'query-users', 'query-users'],
    [[], 'view-users and query-users', 'view-users, query-users'],
  ])('should fail with roles %j and name what is missing', async (roles, lacks, grant) => {
    const sut = setup();
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken: withRoles(roles) }),
    ).resolves.toEqual({
      status: 'FAIL',
      found: `service-account-bff lacks realm-management ${lacks}`,
      fix: `Grant realm-management ${grant} to service-account-bff (Clients → bff → Service accounts roles).`,
    });
  });

  it('should fail on a token without resource_access', async () => {
    const sut = setup();
    const serviceToken = { ...withRoles([]), access_token: sign({ sub: 'x' }, 'unused') };
    await expect(sut.run({ clientAuthenticated: true, serviceToken })).resolves.toMatchObject({
      status: 'FAIL',
      found: 'service-account-bff lacks realm-management view-users and query-users',
    });
  });

  it("should leave a lightweight client's token, which has no roles, to the lightweight row", async () => {
    const sut = setup();
    lightweightAccessTokens.mockResolvedValueOnce(true);
    const serviceToken = { ...withRoles([]), access_token: sign({ sub: 'x' }, 'unused') };
    await expect(sut.run({ clientAuthenticated: true, serviceToken })).resolves.toMatchObject({
      status: 'SKIP',
      found: expect.stringContaining("see 'lightweight access tokens'"),
    });
  });
});

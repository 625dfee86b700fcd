import { sign } from 'jsonwebtoken';
import type { AdminTokenMode } from '../../config/admin.config';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import { ServiceAccountRolesCheck } from './service-account-roles.check';

const withRoles = (roles: string[]): KeycloakTokenResponse => ({
  access_token: sign({ resource_access: { 'realm-management': { roles } } }, 'unused'),
  expires_in: 300,
  token_type: 'Bearer',
});

const setup = (tokenMode: AdminTokenMode = 'service-account') =>
  new ServiceAccountRolesCheck({ tokenMode }, { clientId: 'bff' });

describe(ServiceAccountRolesCheck.name, () => {
  it('should skip when the admin endpoints use the master admin', () => {
    const sut = setup('master-admin');
    expect(sut.run({ clientAuthenticated: true, serviceToken: withRoles([]) })).toEqual({
      status: 'SKIP',
      found: 'ADMIN_TOKEN_MODE=master-admin',
    });
  });

  it('should skip without a service-account token, even with a user token', () => {
    const sut = setup();
    expect(sut.run({ clientAuthenticated: true, userToken: withRoles([]) })).toEqual({
      status: 'SKIP',
      found: 'Needs a service-account token',
    });
  });

  it('should pass with both roles', () => {
    const sut = setup();
    const serviceToken = withRoles(['manage-users', 'view-users', 'query-users']);
    expect(sut.run({ clientAuthenticated: true, serviceToken })).toEqual({
      status: 'PASS',
      found: 'service-account-bff has view-users and query-users',
    });
  });

  it.each([
    [['view-users'], 'query-users', 'query-users'],
    [[], 'view-users and query-users', 'view-users, query-users'],
  ])('should fail with roles %j and name what is missing', (roles, lacks, grant) => {
    const sut = setup();
    expect(sut.run({ clientAuthenticated: true, serviceToken: withRoles(roles) })).toEqual({
      status: 'FAIL',
      found: `service-account-bff lacks realm-management ${lacks}`,
      fix: `Grant realm-management ${grant} to service-account-bff (Clients → bff → Service accounts roles).`,
    });
  });

  it('should fail on a token without resource_access', () => {
    const sut = setup();
    const serviceToken = { ...withRoles([]), access_token: sign({ sub: 'x' }, 'unused') };
    expect(sut.run({ clientAuthenticated: true, serviceToken })).toMatchObject({
      status: 'FAIL',
      found: 'service-account-bff lacks realm-management view-users and query-users',
    });
  });
});

import { IdpUnavailableError, KeycloakResponseError } from '../../keycloak/keycloak.errors';
import type { KeycloakAuthorizationProbe } from '../../keycloak/keycloak-authorization.probe';
import type {
  KeycloakTokenClient,
  KeycloakTokenResponse,
} from '../../keycloak/keycloak-token.client';
import type { OidcMetadata } from '../../keycloak/oidc-discovery.service';
import { ClientFlowsCheck } from './client-flows.check';
import type { DoctorFindings } from './doctor-check';

const REDIRECT = 'http://localhost:3000/auth/callback';
const serviceToken: KeycloakTokenResponse = {
  access_token: 'service',
  expires_in: 300,
  token_type: 'Bearer',
};
const userToken: KeycloakTokenResponse = { ...serviceToken, access_token: 'user' };
const loginPage = { status: 200, location: '', body: '<form id="kc-form-login">' };

function setup(user?: { username: string; password: string }) {
  const clientCredentialsGrant: jest.MockedFunction<KeycloakTokenClient['clientCredentialsGrant']> =
    jest.fn();
  const passwordGrant: jest.MockedFunction<KeycloakTokenClient['passwordGrant']> = jest.fn();
  const probe: jest.MockedFunction<KeycloakAuthorizationProbe['probe']> = jest.fn();
  const sut = new ClientFlowsCheck(
    { clientCredentialsGrant, passwordGrant },
    { probe },
    { clientId: 'bff' },
    { redirectUri: REDIRECT, user },
  );
  const findings: DoctorFindings = {
    clientAuthenticated: true,
    metadata: {} as OidcMetadata,
    directAccessGrants: { status: 'PASS', text: 'direct access grants: on' },
  };
  return { sut, clientCredentialsGrant, passwordGrant, probe, findings };
}

describe(ClientFlowsCheck.name, () => {
  it('should skip, asking Keycloak nothing, until the client has authenticated', async () => {
    const { sut, clientCredentialsGrant, passwordGrant, probe } = setup();
    await expect(sut.run({ clientAuthenticated: false })).resolves.toEqual({
      status: 'SKIP',
      found: 'Needs valid client credentials',
    });
    expect(clientCredentialsGrant).not.toHaveBeenCalled();
    expect(passwordGrant).not.toHaveBeenCalled();
    expect(probe).not.toHaveBeenCalled();
  });

  it('should pass with every flow on and keep the tokens for the checks after it', async () => {
    const { sut, clientCredentialsGrant, passwordGrant, probe, findings } = setup({
      username: 'alice',
      password: 'alice-password',
    });
    clientCredentialsGrant.mockResolvedValue(serviceToken);
    probe.mockResolvedValue(loginPage);
    passwordGrant.mockResolvedValue(userToken);
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'PASS',
      found: 'direct access grants: on; service account: on; standard flow: on',
      fix: undefined,
    });
    expect(clientCredentialsGrant).toHaveBeenCalledWith('openid');
    expect(probe).toHaveBeenCalledWith(REDIRECT);
    expect(passwordGrant).toHaveBeenCalledWith('alice', 'alice-password', 'openid');
    expect(findings).toMatchObject({ serviceToken, userToken });
  });

  it('should not ask for a user token without DOCTOR_USERNAME', async () => {
    const { sut, clientCredentialsGrant, passwordGrant, probe, findings } = setup();
    clientCredentialsGrant.mockResolvedValue(serviceToken);
    probe.mockResolvedValue(loginPage);
    await sut.run(findings);
    expect(passwordGrant).not.toHaveBeenCalled();
    expect(findings.userToken).toBeUndefined();
  });

  it("should fail with the service account's refusal and both fixes when two flows are off", async () => {
    const { sut, clientCredentialsGrant, probe, findings } = setup();
    findings.directAccessGrants = {
      status: 'FAIL',
      text: 'direct access grants: off (POST /auth/login cannot work)',
      fix: 'Enable "Direct access grants" on client \'bff\'.',
    };
    clientCredentialsGrant.mockRejectedValue(
      new KeycloakResponseError(
        'token',
        { status: 401, error: 'unauthorized_client', error_description: 'Client not enabled' },
        undefined,
      ),
    );
    probe.mockResolvedValue(loginPage);
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'FAIL',
      found:
        "direct access grants: off (POST /auth/login cannot work); service account: Keycloak's token endpoint answered 401 (unauthorized_client: Client not enabled): Client not enabled; standard flow: on",
      fix: 'Enable "Direct access grants" on client \'bff\'. Enable "Service accounts roles" on client \'bff\' (admin endpoints use it).',
    });
    expect(findings.serviceToken).toBeUndefined();
  });

  it.each([
    [
      'Client is not allowed to initiate browser login with given response_type. Standard flow is disabled for the client.',
      'standard flow: off (the cookie-session mode needs it)',
    ],
    ['Invalid scopes: openid', 'standard flow: Invalid scopes: openid'],
  ])('should warn when Keycloak redirects back with the error %j', async (description, text) => {
    const { sut, clientCredentialsGrant, probe, findings } = setup();
    findings.directAccessGrants = undefined;
    clientCredentialsGrant.mockResolvedValue(serviceToken);
    const error = new URLSearchParams({
      error: 'unauthorized_client',
      error_description: description,
    });
    probe.mockResolvedValue({ status: 302, location: `${REDIRECT}?${error.toString()}`, body: '' });
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'WARN',
      found: `service account: on; ${text}`,
      fix: 'Enable "Standard flow" on client \'bff\' for the cookie-session mode.',
    });
  });

  it('should warn that the standard flow was not checked when Keycloak refuses the redirect URI', async () => {
    const { sut, clientCredentialsGrant, probe, findings } = setup();
    clientCredentialsGrant.mockResolvedValue(serviceToken);
    probe.mockResolvedValue({
      status: 400,
      location: '',
      body: '<p>Invalid parameter: redirect_uri</p>',
    });
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'WARN',
      found: `direct access grants: on; service account: on; standard flow: not checked, ${REDIRECT} is not a valid redirect URI of the client`,
      fix: "Register the BFF's callback URL on client 'bff' or set DOCTOR_REDIRECT_URI to one that is.",
    });
  });

  it('should warn that the standard flow was not checked when the authorization endpoint is unreachable', async () => {
    const { sut, clientCredentialsGrant, probe, findings } = setup();
    clientCredentialsGrant.mockResolvedValue(serviceToken);
    probe.mockRejectedValue(new IdpUnavailableError('authorization', 'ECONNRESET'));
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'WARN',
      found:
        'direct access grants: on; service account: on; standard flow: not checked (authorization endpoint unreachable)',
      fix: undefined,
    });
  });

  it('should take an error redirect to another URI for the login page it is not', async () => {
    const { sut, clientCredentialsGrant, probe, findings } = setup();
    clientCredentialsGrant.mockResolvedValue(serviceToken);
    probe.mockResolvedValue({ status: 302, location: 'http://elsewhere/?error=x', body: '' });
    await expect(sut.run(findings)).resolves.toMatchObject({
      status: 'PASS',
      found: 'direct access grants: on; service account: on; standard flow: on',
    });
  });

  it('should carry on without a user token when the user cannot log in', async () => {
    const { sut, clientCredentialsGrant, passwordGrant, probe, findings } = setup({
      username: 'alice',
      password: 'wrong',
    });
    clientCredentialsGrant.mockResolvedValue(serviceToken);
    probe.mockResolvedValue(loginPage);
    passwordGrant.mockRejectedValue(
      new KeycloakResponseError('token', { status: 401, error: 'invalid_grant' }, undefined),
    );
    await expect(sut.run(findings)).resolves.toMatchObject({ status: 'PASS' });
    expect(findings.userToken).toBeUndefined();
    expect(findings.serviceToken).toBe(serviceToken);
  });
});

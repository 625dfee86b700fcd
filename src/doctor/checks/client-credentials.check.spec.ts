import { IdpTimeoutError, KeycloakResponseError } from '../../keycloak/keycloak.errors';
import type { KeycloakTokenClient } from '../../keycloak/keycloak-token.client';
import type { OidcMetadata } from '../../keycloak/oidc-discovery.service';
import { ClientCredentialsCheck } from './client-credentials.check';
import type { DoctorFindings } from './doctor-check';

const refusal = (status: number, error: string, error_description: string) =>
  new KeycloakResponseError('token', { status, error, error_description }, undefined);

function setup() {
  const passwordGrant: jest.MockedFunction<KeycloakTokenClient['passwordGrant']> = jest.fn();
  const sut = new ClientCredentialsCheck({ passwordGrant }, { realm: 'demo', clientId: 'bff' });
  const findings: DoctorFindings = { clientAuthenticated: false, metadata: {} as OidcMetadata };
  return { sut, passwordGrant, findings };
}

describe(ClientCredentialsCheck.name, () => {
  it('should skip without the discovery document', async () => {
    const { sut, passwordGrant } = setup();
    await expect(sut.run({ clientAuthenticated: false })).resolves.toEqual({
      status: 'SKIP',
      found: 'Needs the discovery document',
    });
    expect(passwordGrant).not.toHaveBeenCalled();
  });

  it('should pass when Keycloak refuses only the made-up user, and note direct access grants on', async () => {
    const { sut, passwordGrant, findings } = setup();
    passwordGrant.mockRejectedValue(refusal(401, 'invalid_grant', 'Invalid user credentials'));
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'PASS',
      found: "Client 'bff' authenticated with KEYCLOAK_CLIENT_SECRET",
    });
    expect(passwordGrant).toHaveBeenCalledWith(
      expect.stringMatching(/^doctor-probe-\d+$/),
      'not-a-password',
      'openid',
    );
    expect(findings).toMatchObject({
      clientAuthenticated: true,
      directAccessGrants: { status: 'PASS', text: 'direct access grants: on' },
    });
  });

  it('should pass when direct access grants are off, and hand that failure to the flows row', async () => {
    const { sut, passwordGrant, findings } = setup();
    passwordGrant.mockRejectedValue(
      refusal(400, 'unauthorized_client', 'Client not allowed for direct access grants'),
    );
    await expect(sut.run(findings)).resolves.toMatchObject({ status: 'PASS' });
    expect(findings).toEqual({
      clientAuthenticated: true,
      metadata: {},
      directAccessGrants: {
        status: 'FAIL',
        text: 'direct access grants: off (POST /auth/login cannot work)',
        fix: 'Enable "Direct access grants" on client \'bff\'.',
      },
    });
  });

  // Keycloak words both refusals alike; only the error code tells them apart.
  it.each([
    [
      'an unknown client',
      'invalid_client',
      "Keycloak knows no client 'bff' in realm 'demo'",
      'Check KEYCLOAK_CLIENT_ID, or create the client.',
    ],
    [
      'a wrong secret',
      'unauthorized_client',
      "Client 'bff' exists but KEYCLOAK_CLIENT_SECRET is wrong (or the client is public)",
      'Copy the secret from Clients → bff → Credentials into KEYCLOAK_CLIENT_SECRET.',
    ],
  ])('should tell %s', async (_, error, found, fix) => {
    const { sut, passwordGrant, findings } = setup();
    passwordGrant.mockRejectedValue(
      refusal(401, error, 'Invalid client or Invalid client credentials'),
    );
    await expect(sut.run(findings)).resolves.toEqual({ status: 'FAIL', found, fix });
    expect(findings.clientAuthenticated).toBe(false);
  });

  it('should report any other failure in its own words, without a fix', async () => {
    const { sut, passwordGrant, findings } = setup();
    passwordGrant.mockRejectedValue(new IdpTimeoutError('token', 5000));
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'FAIL',
      found: 'Keycloak did not answer the token request within 5000 ms',
    });
  });

  it('should pass but not vouch for the flows when a made-up user gets a token', async () => {
    const { sut, passwordGrant, findings } = setup();
    passwordGrant.mockResolvedValue({ access_token: 'x', expires_in: 300, token_type: 'Bearer' });
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'PASS',
      found: "Client 'bff' authenticated",
    });
    expect(findings).toMatchObject({
      clientAuthenticated: false,
      directAccessGrants: { status: 'WARN', text: 'a made-up user could log in?' },
    });
  });
});

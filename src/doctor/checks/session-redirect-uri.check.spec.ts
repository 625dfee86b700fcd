import type { KeycloakAuthorizationProbe } from '../../keycloak/keycloak-authorization.probe';
import { IdpUnavailableError } from '../../keycloak/keycloak.errors';
import type { OidcMetadata } from '../../keycloak/oidc-discovery.service';
import { fakeSettings, refused } from '../keycloak-settings.fixture';
import type { DoctorFindings } from './doctor-check';
import { SessionRedirectUriCheck } from './session-redirect-uri.check';

const URI = 'http://127.0.0.1:3000/auth/callback';
const withMetadata: DoctorFindings = { clientAuthenticated: true, metadata: {} as OidcMetadata };

function setup(enabled = true) {
  const probe: jest.MockedFunction<KeycloakAuthorizationProbe['probe']> = jest.fn();
  const settings = fakeSettings();
  const sut = new SessionRedirectUriCheck(
    { probe },
    settings,
    { realm: 'demo', clientId: 'bff' },
    { enabled, redirectUri: URI },
  );
  return { sut, probe, settings };
}

describe(SessionRedirectUriCheck.name, () => {
  it('should skip, asking Keycloak nothing, when the session mode is off', async () => {
    const { sut, probe } = setup(false);
    await expect(sut.run(withMetadata)).resolves.toEqual({
      status: 'SKIP',
      found: 'SESSION_ENABLED is off',
    });
    expect(probe).not.toHaveBeenCalled();
  });

  it('should pass when Keycloak shows its login page for SESSION_REDIRECT_URI', async () => {
    const { sut, probe } = setup();
    probe.mockResolvedValue({ status: 200, location: '', body: '<form id="kc-form-login">' });
    await expect(sut.run(withMetadata)).resolves.toEqual({
      status: 'PASS',
      found: `Client 'bff' accepts ${URI}`,
    });
    expect(probe).toHaveBeenCalledWith(URI);
  });

  it('should fail on Keycloak\'s "Invalid parameter: redirect_uri" page with the command that adds the URI', async () => {
    const { sut, probe } = setup();
    probe.mockResolvedValue({ status: 400, location: '', body: 'Invalid parameter: redirect_uri' });
    await expect(sut.run(withMetadata)).resolves.toEqual({
      status: 'FAIL',
      found: `Client 'bff' does not accept SESSION_REDIRECT_URI ${URI}: Keycloak shows "Invalid parameter: redirect_uri" instead of its login page`,
      fix: `Add ${URI} to the Valid redirect URIs of client 'bff' (or set SESSION_REDIRECT_URI to one of them).`,
      code: 'REDIRECT_URI_NOT_REGISTERED',
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'redirectUris=["http://127.0.0.1:3000/*","${URI}"]'`,
      ],
    });
  });

  it('should still fail, without a command, when the client cannot be read', async () => {
    const { sut, probe, settings } = setup();
    probe.mockResolvedValue({ status: 400, location: '', body: 'Invalid parameter: redirect_uri' });
    settings.client.mockRejectedValue(refused());
    const outcome = await sut.run(withMetadata);
    expect(outcome.status).toBe('FAIL');
    expect(outcome).not.toHaveProperty('kcadm');
  });

  it('should warn that it could not check when Keycloak is unreachable', async () => {
    const { sut, probe } = setup();
    probe.mockRejectedValue(new IdpUnavailableError('authorization', 'ECONNREFUSED'));
    await expect(sut.run(withMetadata)).resolves.toMatchObject({
      status: 'WARN',
      found: expect.stringContaining('Not checked: Keycloak could not be reached'),
    });
  });
});

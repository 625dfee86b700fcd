import type { KeycloakAuthorizationProbe } from '../../keycloak/keycloak-authorization.probe';
import type { OidcMetadata } from '../../keycloak/oidc-discovery.service';
import { clientSettings, fakeSettings } from '../keycloak-settings.fixture';
import type { DoctorFindings } from './doctor-check';
import { PostLogoutRedirectUriCheck } from './post-logout-redirect-uri.check';

const URI = 'http://127.0.0.1:3000/';
const withMetadata: DoctorFindings = { clientAuthenticated: true, metadata: {} as OidcMetadata };

function setup(withUri = true) {
  const probeLogout: jest.MockedFunction<KeycloakAuthorizationProbe['probeLogout']> = jest.fn();
  const settings = fakeSettings();
  const sut = new PostLogoutRedirectUriCheck(
    { probeLogout },
    settings,
    { realm: 'demo', clientId: 'bff' },
    { enabled: true, postLogoutRedirectUri: withUri ? URI : undefined },
  );
  return { sut, probeLogout, settings };
}

describe(PostLogoutRedirectUriCheck.name, () => {
  it('should skip without SESSION_POST_LOGOUT_REDIRECT_URI', async () => {
    const { sut, probeLogout } = setup(false);
    await expect(sut.run(withMetadata)).resolves.toMatchObject({ status: 'SKIP' });
    expect(probeLogout).not.toHaveBeenCalled();
  });

  it('should pass when Keycloak redirects there at once', async () => {
    const { sut, probeLogout } = setup();
    probeLogout.mockResolvedValue({ status: 302, location: URI, body: '' });
    await expect(sut.run(withMetadata)).resolves.toEqual({
      status: 'PASS',
      found: `Client 'bff' accepts ${URI} after logout`,
    });
    expect(probeLogout).toHaveBeenCalledWith(URI);
  });

  it('should fail on "Invalid redirect uri", adding the URI to those registered', async () => {
    const { sut, probeLogout, settings } = setup();
    probeLogout.mockResolvedValue({ status: 400, location: '', body: 'Invalid redirect uri' });
    settings.client.mockResolvedValue(
      clientSettings({ attributes: { 'post.logout.redirect.uris': 'http://a/*##+' } }),
    );
    await expect(sut.run(withMetadata)).resolves.toEqual({
      status: 'FAIL',
      found: `Client 'bff' does not accept SESSION_POST_LOGOUT_REDIRECT_URI ${URI}: after logout the browser ends on Keycloak's "Invalid redirect uri" page`,
      fix: `Add ${URI} to the Valid post logout redirect URIs of client 'bff'.`,
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'attributes."post.logout.redirect.uris"=http://a/*##+##${URI}'`,
      ],
    });
  });
});

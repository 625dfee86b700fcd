import type { KeycloakAuthorizationProbe } from '../keycloak/keycloak-authorization.probe';
import { IdpUnavailableError } from '../keycloak/keycloak.errors';
import { ManualClock } from '../../test/utils/manual-clock';
import { RedirectUriRegistration } from './redirect-uri-registration';

const URI = 'http://127.0.0.1:3000/auth/callback';
const loginPage = { status: 200, location: '', body: '<form id="kc-form-login">' };
const errorPage = { status: 400, location: '', body: 'Invalid parameter: redirect_uri' };

function setup() {
  const probe: jest.MockedFunction<KeycloakAuthorizationProbe['probe']> = jest.fn();
  const clock = new ManualClock();
  const sut = new RedirectUriRegistration(
    clock,
    { probe },
    { redirectUri: URI },
    { clientId: 'bff' },
  );
  return { sut, probe, clock };
}

describe(RedirectUriRegistration.name, () => {
  it('should ask Keycloak once, with SESSION_REDIRECT_URI, and then trust the answer for good', async () => {
    const { sut, probe } = setup();
    probe.mockResolvedValue(loginPage);
    await Promise.all([sut.ensureRegistered(), sut.ensureRegistered()]);
    await sut.ensureRegistered();
    expect(probe).toHaveBeenCalledTimes(1);
    expect(probe).toHaveBeenCalledWith(URI);
  });

  it("should refuse with REDIRECT_URI_NOT_REGISTERED, naming doctor's check, when Keycloak shows its error page", async () => {
    const { sut, probe } = setup();
    probe.mockResolvedValue(errorPage);
    await expect(sut.ensureRegistered()).rejects.toMatchObject({
      status: 502,
      code: 'REDIRECT_URI_NOT_REGISTERED',
      detail: `Client 'bff' does not accept SESSION_REDIRECT_URI ${URI}: Keycloak would show "Invalid parameter: redirect_uri" instead of its login page`,
      hint: `Add ${URI} to the Valid redirect URIs of client 'bff'. \`npm run doctor\` (check 'session redirect URI') prints the kcadm.sh command that fixes it.`,
    });
  });

  it('should believe a refusal for 30 s, then ask again (the fix needs no restart)', async () => {
    const { sut, probe, clock } = setup();
    probe.mockResolvedValueOnce(errorPage).mockResolvedValue(loginPage);
    await expect(sut.ensureRegistered()).rejects.toMatchObject({
      code: 'REDIRECT_URI_NOT_REGISTERED',
    });
    clock.advance(29_999);
    await expect(sut.ensureRegistered()).rejects.toMatchObject({
      code: 'REDIRECT_URI_NOT_REGISTERED',
    });
    expect(probe).toHaveBeenCalledTimes(1);
    clock.advance(1);
    await expect(sut.ensureRegistered()).resolves.toBeUndefined();
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it('should let the login go on when Keycloak cannot be asked, and ask again next time', async () => {
    const { sut, probe } = setup();
    probe.mockRejectedValueOnce(new IdpUnavailableError('authorization', 'ECONNREFUSED'));
    probe.mockResolvedValue(loginPage);
    await expect(sut.ensureRegistered()).resolves.toBeUndefined();
    await expect(sut.ensureRegistered()).resolves.toBeUndefined();
    expect(probe).toHaveBeenCalledTimes(2);
  });
});

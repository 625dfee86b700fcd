import { clientSettings, fakeSettings } from '../keycloak-settings.fixture';
import { BackchannelLogoutCheck, backchannelLogoutUrl } from './backchannel-logout.check';

const REDIRECT = 'http://127.0.0.1:3000/auth/callback';

function setup(redirectUri = REDIRECT) {
  const settings = fakeSettings();
  const sut = new BackchannelLogoutCheck(
    settings,
    { realm: 'demo', clientId: 'bff' },
    { enabled: true, redirectUri },
  );
  return { sut, settings };
}

const withAttributes = (attributes: Record<string, string>) =>
  clientSettings({ attributes: { 'pkce.code.challenge.method': 'S256', ...attributes } });

describe(BackchannelLogoutCheck.name, () => {
  it.each([
    ['http://127.0.0.1:3000/auth/callback', 'http://127.0.0.1:3000/auth/backchannel-logout'],
    [
      'https://app.example.com/bff/auth/callback',
      'https://app.example.com/bff/auth/backchannel-logout',
    ],
    ['https://app.example.com/cb', 'https://app.example.com/auth/backchannel-logout'],
  ])('should put the endpoint of the BFF whose callback is %s at %s', (redirect, url) => {
    expect(backchannelLogoutUrl(redirect)).toBe(url);
  });

  it("should pass a URL at this BFF's endpoint with session required", async () => {
    const { sut } = setup();
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found:
        'Back-channel logout to http://127.0.0.1:3000/auth/backchannel-logout with session required',
    });
  });

  it('should pass, saying so, a URL on another host (how Keycloak reaches the BFF in Docker)', async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(
      withAttributes({
        'backchannel.logout.url': 'http://bff:3000/auth/backchannel-logout',
        'backchannel.logout.session.required': 'true',
      }),
    );
    await expect(sut.run()).resolves.toMatchObject({
      status: 'PASS',
      found: expect.stringContaining("another host than SESSION_REDIRECT_URI's"),
    });
  });

  it("should fail without a URL and set this BFF's, leaving session required alone", async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(
      withAttributes({ 'backchannel.logout.session.required': 'true' }),
    );
    await expect(sut.run()).resolves.toEqual({
      status: 'FAIL',
      found:
        "Client 'bff': no back-channel logout URL: a session ended in Keycloak (logout elsewhere, an admin, expiry) stays alive here",
      fix: expect.stringContaining(
        'Set "Backchannel logout URL" to http://127.0.0.1:3000/auth/backchannel-logout',
      ),
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'attributes."backchannel.logout.url"=http://127.0.0.1:3000/auth/backchannel-logout'`,
      ],
    });
  });

  it('should fail without session required, naming the code the BFF logs for a sid-less logout token', async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(
      withAttributes({ 'backchannel.logout.url': 'http://127.0.0.1:3000/auth/backchannel-logout' }),
    );
    await expect(sut.run()).resolves.toMatchObject({
      status: 'FAIL',
      found: expect.stringContaining('logout tokens carry no sid'),
      code: 'BACKCHANNEL_LOGOUT_SID_MISSING',
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'attributes."backchannel.logout.session.required"=true'`,
      ],
    });
  });

  it('should fail a URL that is not a back-channel logout endpoint', async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(
      withAttributes({
        'backchannel.logout.url': 'http://127.0.0.1:3000/logout',
        'backchannel.logout.session.required': 'true',
      }),
    );
    await expect(sut.run()).resolves.toMatchObject({
      status: 'FAIL',
      found:
        "Client 'bff': the back-channel logout URL http://127.0.0.1:3000/logout is not this BFF's /auth/backchannel-logout",
    });
  });
});

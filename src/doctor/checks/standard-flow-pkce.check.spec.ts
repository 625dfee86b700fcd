import { clientSettings, fakeSettings } from '../keycloak-settings.fixture';
import { StandardFlowPkceCheck } from './standard-flow-pkce.check';

function setup(enabled = true) {
  const settings = fakeSettings();
  const sut = new StandardFlowPkceCheck(settings, { realm: 'demo', clientId: 'bff' }, { enabled });
  return { sut, settings };
}

describe(StandardFlowPkceCheck.name, () => {
  it('should skip when the session mode is off', async () => {
    const { sut, settings } = setup(false);
    await expect(sut.run()).resolves.toMatchObject({ status: 'SKIP' });
    expect(settings.client).not.toHaveBeenCalled();
  });

  it('should pass the standard flow with S256 required', async () => {
    const { sut } = setup();
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found: 'standard flow: on; PKCE: S256 required',
    });
  });

  it('should warn when PKCE is not required, with the command that requires S256', async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(clientSettings({ attributes: {} }));
    await expect(sut.run()).resolves.toEqual({
      status: 'WARN',
      found: 'standard flow: on; PKCE: not required (the BFF always sends S256)',
      fix: `Set "PKCE Method" to S256 on client 'bff' (Advanced tab).`,
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'attributes."pkce.code.challenge.method"=S256'`,
      ],
    });
  });

  it('should fail without the standard flow and fix both in one command', async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(
      clientSettings({
        standardFlowEnabled: false,
        attributes: { 'pkce.code.challenge.method': 'plain' },
      }),
    );
    await expect(sut.run()).resolves.toEqual({
      status: 'FAIL',
      found:
        'standard flow: off (GET /auth/login cannot work); PKCE: plain required (the BFF always sends S256)',
      code: 'LOGIN_FAILED',
      fix: `Enable "Standard flow" on client 'bff'. Set "PKCE Method" to S256 on client 'bff' (Advanced tab).`,
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s standardFlowEnabled=true -s 'attributes."pkce.code.challenge.method"=S256'`,
      ],
    });
  });
});

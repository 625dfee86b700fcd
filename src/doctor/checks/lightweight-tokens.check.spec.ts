import { clientSettings, fakeSettings, refused } from '../keycloak-settings.fixture';
import { LightweightTokensCheck } from './lightweight-tokens.check';

function setup() {
  const settings = fakeSettings();
  return {
    sut: new LightweightTokensCheck(settings, { realm: 'demo', clientId: 'bff' }),
    settings,
  };
}

describe(LightweightTokensCheck.name, () => {
  it('should pass full access tokens', async () => {
    const { sut } = setup();
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found: "Client 'bff' issues full access tokens",
    });
  });

  it('should fail lightweight access tokens, which nothing here introspects, with the command that turns them off', async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(
      clientSettings({ attributes: { 'client.use.lightweight.access.token.enabled': 'true' } }),
    );
    await expect(sut.run()).resolves.toEqual({
      status: 'FAIL',
      found:
        "Client 'bff' issues lightweight access tokens (no aud, roles or user claims in the JWT), and nothing here introspects them",
      fix: expect.stringContaining('"Always use lightweight access token" off'),
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'attributes."client.use.lightweight.access.token.enabled"=false'`,
      ],
      code: 'TOKEN_AUDIENCE_MISMATCH',
    });
  });

  it('should say when it cannot read the client', async () => {
    const { sut, settings } = setup();
    settings.client.mockRejectedValue(refused());
    await expect(sut.run()).resolves.toMatchObject({
      status: 'WARN',
      found: expect.stringContaining("Could not read the settings of client 'bff'"),
    });
  });
});

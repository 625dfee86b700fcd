import { clientSettings, fakeSettings, refused } from '../keycloak-settings.fixture';
import type { IntrospectionMode } from '../../config/auth.config';
import { LightweightTokensCheck } from './lightweight-tokens.check';

function setup(mode: IntrospectionMode = 'off') {
  const settings = fakeSettings();
  return {
    sut: new LightweightTokensCheck(
      settings,
      { realm: 'demo', clientId: 'bff' },
      { introspection: { mode, cacheTtlMs: 300_000, cacheSize: 1000 } },
    ),
    settings,
  };
}

const LIGHTWEIGHT = clientSettings({
  attributes: { 'client.use.lightweight.access.token.enabled': 'true' },
});

describe(LightweightTokensCheck.name, () => {
  it('should pass full access tokens', async () => {
    const { sut } = setup();
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found: "Client 'bff' issues full access tokens",
    });
  });

  it('should fail lightweight access tokens while AUTH_INTROSPECTION is off, with the command that turns them off', async () => {
    const { sut, settings } = setup('off');
    settings.client.mockResolvedValue(LIGHTWEIGHT);
    await expect(sut.run()).resolves.toEqual({
      status: 'FAIL',
      found:
        "Client 'bff' issues lightweight access tokens (no aud, roles or user claims in the JWT), and AUTH_INTROSPECTION is off, so nothing here introspects them",
      fix: expect.stringMatching(
        /AUTH_INTROSPECTION=fallback.*"Always use lightweight access token" off/,
      ),
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'attributes."client.use.lightweight.access.token.enabled"=false'`,
      ],
      code: 'TOKEN_AUDIENCE_MISMATCH',
    });
  });

  it.each(['fallback', 'always'] as const)(
    'should pass lightweight access tokens while AUTH_INTROSPECTION=%s introspects them',
    async (mode) => {
      const { sut, settings } = setup(mode);
      settings.client.mockResolvedValue(LIGHTWEIGHT);
      await expect(sut.run()).resolves.toEqual({
        status: 'PASS',
        found: `Client 'bff' issues lightweight access tokens; AUTH_INTROSPECTION=${mode} introspects them`,
      });
    },
  );

  it('should say when it cannot read the client', async () => {
    const { sut, settings } = setup();
    settings.client.mockRejectedValue(refused());
    await expect(sut.run()).resolves.toMatchObject({
      status: 'WARN',
      found: expect.stringContaining("Could not read the settings of client 'bff'"),
    });
  });
});

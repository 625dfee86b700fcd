import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import {
  clientSettings as client,
  fakeSettings,
  realmSettings,
  refused,
} from '../keycloak-settings.fixture';
import { TokenLifetimesCheck } from './token-lifetimes.check';

const lasting = (expires_in: number, refresh_expires_in?: number): KeycloakTokenResponse => ({
  access_token: 'access',
  token_type: 'Bearer',
  expires_in,
  refresh_expires_in,
});

const clientSettings = (attributes: Record<string, string> = {}) => client({ attributes });

describe(TokenLifetimesCheck.name, () => {
  let settings: ReturnType<typeof fakeSettings>;
  let sut: TokenLifetimesCheck;

  beforeEach(() => {
    settings = fakeSettings();
    // The token rows below: doctor may not read the settings.
    settings.realm.mockRejectedValue(refused('view-realm'));
    sut = new TokenLifetimesCheck(settings, { realm: 'demo' });
  });

  it('should skip without a token', async () => {
    await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
      status: 'SKIP',
      found: 'Needs a token',
    });
  });

  it('should pass a short access token, saying nothing of a session without a user token', async () => {
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken: lasting(300, 0) }),
    ).resolves.toEqual({
      status: 'PASS',
      found: 'access token 300 s',
    });
  });

  it("should read the session from the user token and the access token from the service account's", async () => {
    const findings = {
      clientAuthenticated: true,
      serviceToken: lasting(300, 0),
      userToken: lasting(600, 1800),
    };
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'PASS',
      found: 'access token 300 s, refresh/session 1800 s',
    });
  });

  it('should fail an access token that outlives the session', async () => {
    const userToken = lasting(3600, 1800);
    await expect(sut.run({ clientAuthenticated: true, userToken })).resolves.toEqual({
      status: 'FAIL',
      found: 'access token 3600 s, refresh/session 1800 s',
      fix: 'The access token outlives the session: lower "Access Token Lifespan" below the SSO session idle timeout.',
    });
  });

  it('should not compare with a session of 0 (no idle limit)', async () => {
    const userToken = lasting(600, 0);
    await expect(sut.run({ clientAuthenticated: true, userToken })).resolves.toMatchObject({
      status: 'PASS',
    });
  });

  it.each([
    [3600, 'PASS', undefined],
    [
      3601,
      'WARN',
      'Access tokens over an hour are hard to revoke; a BFF refreshes cheaply, so 5–15 minutes is usual.',
    ],
  ] as const)('should rate a %i s access token %s', async (expiresIn, status, fix) => {
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken: lasting(expiresIn) }),
    ).resolves.toEqual({
      status,
      found: `access token ${expiresIn} s`,
      ...(fix ? { fix } : {}),
    });
  });

  describe('from the settings', () => {
    it("should pass an access token shorter than the realm's SSO session idle", async () => {
      settings.realm.mockResolvedValue(realmSettings());
      await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
        status: 'PASS',
        found: 'access token 300 s, SSO session idle 1800 s',
      });
    });

    it.each([1800, 2400])(
      'should fail a %i s access token against 1800 s of idle with the realm command',
      async (lifespan) => {
        settings.realm.mockResolvedValue(realmSettings({ accessTokenLifespan: lifespan }));
        await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
          status: 'FAIL',
          found: `access token ${lifespan} s, SSO session idle 1800 s`,
          fix: 'The access token outlives the session: lower "Access Token Lifespan" below the SSO session idle timeout.',
          kcadm: ['kcadm.sh update realms/demo -s accessTokenLifespan=300'],
        });
      },
    );

    it("should take the client's own lifespan and idle, and fix the client's", async () => {
      settings.realm.mockResolvedValue(realmSettings());
      settings.client.mockResolvedValue(
        clientSettings({ 'access.token.lifespan': '900', 'client.session.idle.timeout': '600' }),
      );
      await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
        status: 'FAIL',
        found: "access token 900 s (client 'bff'), SSO session idle 600 s",
        fix: 'The access token outlives the session: lower "Access Token Lifespan" below the SSO session idle timeout.',
        kcadm: [`kcadm.sh update clients/c-1 -r demo -s 'attributes."access.token.lifespan"=300'`],
      });
    });

    it('should warn about a token of over an hour within a longer idle', async () => {
      settings.realm.mockResolvedValue(
        realmSettings({ accessTokenLifespan: 7200, ssoSessionIdleTimeout: 28800 }),
      );
      await expect(sut.run({ clientAuthenticated: true })).resolves.toMatchObject({
        status: 'WARN',
        kcadm: ['kcadm.sh update realms/demo -s accessTokenLifespan=300'],
      });
    });
  });
});

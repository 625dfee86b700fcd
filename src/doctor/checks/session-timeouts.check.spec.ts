import { clientSettings, fakeSettings, realmSettings } from '../keycloak-settings.fixture';
import { SessionTimeoutsCheck } from './session-timeouts.check';

function setup(idleS = 1800, absoluteS = 36000, enabled = true) {
  const settings = fakeSettings();
  const sut = new SessionTimeoutsCheck(
    settings,
    { realm: 'demo', clientId: 'bff' },
    { enabled, idleTimeoutMs: idleS * 1000, absoluteTimeoutMs: absoluteS * 1000 },
  );
  return { sut, settings };
}

describe(SessionTimeoutsCheck.name, () => {
  it('should skip when the session mode is off', async () => {
    const { sut } = setup(1800, 36000, false);
    await expect(sut.run()).resolves.toMatchObject({ status: 'SKIP' });
  });

  it("should pass timeouts within the realm's", async () => {
    const { sut } = setup();
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found:
        'SESSION_IDLE_TIMEOUT_S 1800 s ≤ SSO Session Idle 1800 s; SESSION_ABSOLUTE_TIMEOUT_S 36000 s ≤ SSO Session Max 36000 s',
    });
  });

  it("should warn about a BFF idle timeout past the realm's, with the command that raises the realm's", async () => {
    const { sut } = setup(3600);
    await expect(sut.run()).resolves.toEqual({
      status: 'WARN',
      found:
        'SESSION_IDLE_TIMEOUT_S 3600 s > SSO Session Idle 1800 s; SESSION_ABSOLUTE_TIMEOUT_S 36000 s ≤ SSO Session Max 36000 s',
      fix: expect.stringContaining('Lower SESSION_IDLE_TIMEOUT_S to 1800'),
      kcadm: ['kcadm.sh update realms/demo -s ssoSessionIdleTimeout=3600'],
      code: 'SESSION_EXPIRED',
    });
  });

  it("should compare with the client's shorter override and raise that one", async () => {
    const { sut, settings } = setup();
    settings.realm.mockResolvedValue(realmSettings());
    settings.client.mockResolvedValue(
      clientSettings({ attributes: { 'client.session.max.lifespan': '7200' } }),
    );
    await expect(sut.run()).resolves.toMatchObject({
      status: 'WARN',
      found: expect.stringContaining(
        "SESSION_ABSOLUTE_TIMEOUT_S 36000 s > SSO Session Max of client 'bff' 7200 s",
      ),
      kcadm: [
        `kcadm.sh update clients/c-1 -r demo -s 'attributes."client.session.max.lifespan"=36000'`,
      ],
    });
  });
});

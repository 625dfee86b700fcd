import { fakeSettings, realmSettings, refused } from '../keycloak-settings.fixture';
import { RefreshTokenRotationCheck } from './refresh-token-rotation.check';

function setup() {
  const settings = fakeSettings();
  return { sut: new RefreshTokenRotationCheck(settings), settings };
}

describe(RefreshTokenRotationCheck.name, () => {
  it('should pass refresh tokens that are not rotated', async () => {
    const { sut } = setup();
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found: 'Refresh tokens are not rotated ("Revoke Refresh Token" off)',
    });
  });

  it('should pass rotation that lets a lost refresh be retried', async () => {
    const { sut, settings } = setup();
    settings.realm.mockResolvedValue(
      realmSettings({ revokeRefreshToken: true, refreshTokenMaxReuse: 1 }),
    );
    await expect(sut.run()).resolves.toMatchObject({ status: 'PASS' });
  });

  it('should warn about rotation with max reuse 0, say what still breaks, and allow one reuse', async () => {
    const { sut, settings } = setup();
    settings.realm.mockResolvedValue(realmSettings({ revokeRefreshToken: true }));
    await expect(sut.run()).resolves.toEqual({
      status: 'WARN',
      found:
        '"Revoke Refresh Token" is on with "Refresh Token Max Reuse" 0: each refresh token works once',
      fix: expect.stringContaining('a refresh whose answer is lost (timeout, restart, network)'),
      kcadm: ['kcadm.sh update realms/demo -s refreshTokenMaxReuse=1'],
      code: 'SESSION_EXPIRED',
    });
  });

  it('should say when it cannot read the realm', async () => {
    const { sut, settings } = setup();
    settings.realm.mockRejectedValue(refused('view-realm'));
    await expect(sut.run()).resolves.toMatchObject({
      status: 'WARN',
      found: expect.stringContaining("Could not read the realm's settings"),
    });
  });
});

import { KeycloakResponseError } from '../../keycloak/keycloak.errors';
import type {
  KeycloakTokenClient,
  KeycloakTokenResponse,
} from '../../keycloak/keycloak-token.client';
import { UserinfoCheck } from './userinfo.check';

const token = (scope?: string): KeycloakTokenResponse => ({
  access_token: 'access',
  expires_in: 300,
  token_type: 'Bearer',
  scope,
});

function setup(lightweight = false) {
  const userinfo: jest.MockedFunction<KeycloakTokenClient['userinfo']> = jest.fn();
  const lightweightAccessTokens = jest.fn(() => Promise.resolve(lightweight));
  return { sut: new UserinfoCheck({ userinfo }, { lightweightAccessTokens }), userinfo };
}

describe(UserinfoCheck.name, () => {
  it('should skip without a token', async () => {
    const { sut, userinfo } = setup();
    await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
      status: 'SKIP',
      found: 'Needs a token',
    });
    expect(userinfo).not.toHaveBeenCalled();
  });

  it('should pass when the token has openid and userinfo answers to it', async () => {
    const { sut, userinfo } = setup();
    userinfo.mockResolvedValue({ sub: 'alice' });
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken: token('openid profile email') }),
    ).resolves.toEqual({ status: 'PASS', found: 'openid granted; userinfo answers' });
    expect(userinfo).toHaveBeenCalledWith('access');
  });

  it.each([['profile email'], [undefined]])(
    'should fail without calling userinfo when the scope is %j',
    async (scope) => {
      const { sut, userinfo } = setup();
      await expect(
        sut.run({ clientAuthenticated: true, userToken: token(scope) }),
      ).resolves.toEqual({
        status: 'FAIL',
        found: `A token requested with scope=openid came back with scope '${scope ?? ''}'`,
        fix: "Keycloak's userinfo answers 403 to such tokens; check the client's client scopes.",
      });
      expect(userinfo).not.toHaveBeenCalled();
    },
  );

  it("should fail with userinfo's refusal of an openid token", async () => {
    const { sut, userinfo } = setup();
    userinfo.mockRejectedValue(
      new KeycloakResponseError(
        'userinfo',
        { status: 401, error: 'invalid_token', error_description: 'Token verification failed' },
        'Bearer error="invalid_token"',
      ),
    );
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken: token('openid') }),
    ).resolves.toEqual({
      status: 'FAIL',
      found:
        "userinfo refused an openid token: Keycloak's userinfo endpoint answered 401 (invalid_token: Token verification failed): Token verification failed",
    });
  });

  it("should leave userinfo's refusal of a lightweight token to the lightweight row", async () => {
    const { sut, userinfo } = setup(true);
    userinfo.mockRejectedValue(
      new KeycloakResponseError(
        'userinfo',
        {
          status: 401,
          error: 'invalid_token',
          error_description: 'Lightweight access token not allowed for userinfo endpoint',
        },
        undefined,
      ),
    );
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken: token('openid') }),
    ).resolves.toEqual({
      status: 'SKIP',
      found:
        "Not checked: the client's access tokens are lightweight (see 'lightweight access tokens')",
    });
  });
});

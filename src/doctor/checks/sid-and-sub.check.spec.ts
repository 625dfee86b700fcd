import { sign } from 'jsonwebtoken';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import { clientSettings, fakeSettings, refused } from '../keycloak-settings.fixture';
import { SidAndSubCheck } from './sid-and-sub.check';

/** Only the claims matter: the check reads tokens it just got from Keycloak. */
const userToken = (access: object, id: object): KeycloakTokenResponse => ({
  access_token: sign(access, 'unused'),
  id_token: sign(id, 'unused'),
  expires_in: 300,
  token_type: 'Bearer',
});

function setup(session = true) {
  const settings = fakeSettings();
  const sut = new SidAndSubCheck(
    settings,
    { realm: 'demo', clientId: 'bff' },
    { enabled: session },
  );
  return { sut, settings };
}

describe(SidAndSubCheck.name, () => {
  it('should pass with basic on the client and both claims in the tokens', async () => {
    const { sut } = setup();
    const token = userToken({ sub: 'u1' }, { sub: 'u1', sid: 's1' });
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toEqual({
      status: 'PASS',
      found: "'basic' is a default scope of 'bff' (sub in access tokens, sid in ID tokens)",
    });
  });

  it('should say what it could not check without a user', async () => {
    const { sut } = setup(false);
    await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
      status: 'PASS',
      found:
        "'basic' is a default scope of 'bff' (sub); tokens not checked: set DOCTOR_USERNAME/DOCTOR_PASSWORD",
    });
  });

  it('should fail a client without the basic scope, adding it back by its id', async () => {
    const { sut, settings } = setup();
    settings.client.mockResolvedValue(clientSettings({ defaultClientScopes: ['profile'] }));
    const token = userToken({ sid: 's1' }, { sub: 'u1', sid: 's1' });
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toEqual({
      status: 'FAIL',
      found:
        "the 'basic' client scope is not a default scope of 'bff': its access tokens carry no sub",
      code: 'ACCESS_TOKEN_SUB_MISSING',
      fix: "Add the 'basic' client scope to client 'bff' as a default scope (Client scopes tab).",
      kcadm: ['kcadm.sh update clients/c-1/default-client-scopes/s-basic -r demo'],
    });
  });

  it('should fail ID tokens without sid in the session mode', async () => {
    const { sut } = setup();
    const token = userToken({ sub: 'u1' }, { sub: 'u1' });
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toMatchObject({
      status: 'FAIL',
      found: 'ID tokens carry no sid: back-channel logout tokens cannot be matched to sessions',
      code: 'ID_TOKEN_SID_MISSING',
    });
  });

  it('should not ask for sid outside the session mode', async () => {
    const { sut } = setup(false);
    const token = userToken({ sub: 'u1' }, { sub: 'u1' });
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toMatchObject({
      status: 'PASS',
    });
  });

  it("should leave a lightweight token's missing sub to the lightweight row", async () => {
    const { sut, settings } = setup();
    settings.lightweightAccessTokens.mockResolvedValue(true);
    const token = userToken({ sid: 's1' }, { sub: 'u1', sid: 's1' });
    await expect(sut.run({ clientAuthenticated: true, userToken: token })).resolves.toMatchObject({
      status: 'PASS',
    });
  });

  it('should say when it cannot read the client', async () => {
    const { sut, settings } = setup();
    settings.client.mockRejectedValue(refused());
    await expect(sut.run({ clientAuthenticated: true })).resolves.toMatchObject({ status: 'WARN' });
  });
});

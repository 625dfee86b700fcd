import { sign } from 'jsonwebtoken';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import type { KeycloakSettings } from '../keycloak-settings';
import { AudienceCheck } from './audience.check';

/** Only the claims matter: the check reads a token it just got from Keycloak, unverified. */
const token = (claims: object): KeycloakTokenResponse => ({
  access_token: sign(claims, 'unused'),
  expires_in: 300,
  token_type: 'Bearer',
});

describe(AudienceCheck.name, () => {
  const lightweightAccessTokens: jest.MockedFunction<KeycloakSettings['lightweightAccessTokens']> =
    jest.fn();
  const sut = new AudienceCheck(
    { audience: 'bff' },
    { clientId: 'bff' },
    { lightweightAccessTokens },
  );

  beforeEach(() => lightweightAccessTokens.mockResolvedValue(false));

  it('should skip without a token', async () => {
    await expect(sut.run({ clientAuthenticated: true })).resolves.toEqual({
      status: 'SKIP',
      found: 'Needs a token of the client',
    });
  });

  it('should pass when the audience is among several', async () => {
    const serviceToken = token({ aud: ['bff', 'realm-management', 'account'] });
    await expect(sut.run({ clientAuthenticated: true, serviceToken })).resolves.toEqual({
      status: 'PASS',
      found: "Tokens of 'bff' carry aud [bff, realm-management, account]",
    });
  });

  it('should read a single-string aud, and a user token when there is no service token', async () => {
    const userToken = token({ aud: 'bff' });
    await expect(sut.run({ clientAuthenticated: true, userToken })).resolves.toMatchObject({
      status: 'PASS',
    });
  });

  it('should fail without the audience and name the mapper that adds it', async () => {
    const serviceToken = token({ aud: 'account' });
    await expect(sut.run({ clientAuthenticated: true, serviceToken })).resolves.toEqual({
      status: 'FAIL',
      found: "Tokens of 'bff' carry aud [account]",
      code: 'TOKEN_AUDIENCE_MISMATCH',
      fix: "Add an \"Audience\" mapper with Included Client Audience 'bff' to client 'bff' (or set AUTH_AUDIENCE).",
    });
  });

  it('should fail on a token without aud', async () => {
    const serviceToken = token({ sub: 'x' });
    await expect(sut.run({ clientAuthenticated: true, serviceToken })).resolves.toMatchObject({
      status: 'FAIL',
      found: "Tokens of 'bff' carry aud []",
    });
  });

  it("should read the service account's token before the user's", async () => {
    const serviceToken = token({ aud: 'account' });
    const userToken = token({ aud: 'bff' });
    await expect(
      sut.run({ clientAuthenticated: true, serviceToken, userToken }),
    ).resolves.toMatchObject({
      status: 'FAIL',
    });
  });

  it("should leave a lightweight client's token, which has no aud, to the lightweight row", async () => {
    lightweightAccessTokens.mockResolvedValue(true);
    const serviceToken = token({ sub: 'x' });
    await expect(sut.run({ clientAuthenticated: true, serviceToken })).resolves.toEqual({
      status: 'SKIP',
      found:
        "Not checked: the client's access tokens are lightweight (see 'lightweight access tokens')",
    });
  });

  it('should not ask about lightweight tokens when the token has an aud', async () => {
    await sut.run({ clientAuthenticated: true, serviceToken: token({ aud: 'account' }) });
    expect(lightweightAccessTokens).not.toHaveBeenCalled();
  });
});

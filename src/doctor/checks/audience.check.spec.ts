import { sign } from 'jsonwebtoken';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import { AudienceCheck } from './audience.check';

/** Only the claims matter: the check reads a token it just got from Keycloak, unverified. */
const token = (claims: object): KeycloakTokenResponse => ({
  access_token: sign(claims, 'unused'),
  expires_in: 300,
  token_type: 'Bearer',
});

describe(AudienceCheck.name, () => {
  const sut = new AudienceCheck({ audience: 'bff' }, { clientId: 'bff' });

  it('should skip without a token', () => {
    expect(sut.run({ clientAuthenticated: true })).toEqual({
      status: 'SKIP',
      found: 'Needs a token of the client',
    });
  });

  it('should pass when the audience is among several', () => {
    const serviceToken = token({ aud: ['bff', 'realm-management', 'account'] });
    expect(sut.run({ clientAuthenticated: true, serviceToken })).toEqual({
      status: 'PASS',
      found: "Tokens of 'bff' carry aud [bff, realm-management, account]",
    });
  });

  it('should read a single-string aud, and a user token when there is no service token', () => {
    const userToken = token({ aud: 'bff' });
    expect(sut.run({ clientAuthenticated: true, userToken })).toMatchObject({ status: 'PASS' });
  });

  it('should fail without the audience and name the mapper that adds it', () => {
    const serviceToken = token({ aud: 'account' });
    expect(sut.run({ clientAuthenticated: true, serviceToken })).toEqual({
      status: 'FAIL',
      found: "Tokens of 'bff' carry aud [account]",
      fix: "Add an \"Audience\" mapper with Included Client Audience 'bff' to client 'bff' (or set AUTH_AUDIENCE).",
    });
  });

  it('should fail on a token without aud', () => {
    const serviceToken = token({ sub: 'x' });
    expect(sut.run({ clientAuthenticated: true, serviceToken })).toMatchObject({
      status: 'FAIL',
      found: "Tokens of 'bff' carry aud []",
    });
  });

  it("should read the service account's token before the user's", () => {
    const serviceToken = token({ aud: 'account' });
    const userToken = token({ aud: 'bff' });
    expect(sut.run({ clientAuthenticated: true, serviceToken, userToken })).toMatchObject({
      status: 'FAIL',
    });
  });
});

import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import { TokenLifetimesCheck } from './token-lifetimes.check';

const lasting = (expires_in: number, refresh_expires_in?: number): KeycloakTokenResponse => ({
  access_token: 'access',
  token_type: 'Bearer',
  expires_in,
  refresh_expires_in,
});

describe(TokenLifetimesCheck.name, () => {
  const sut = new TokenLifetimesCheck();

  it('should skip without a token', () => {
    expect(sut.run({ clientAuthenticated: true })).toEqual({
      status: 'SKIP',
      found: 'Needs a token',
    });
  });

  it('should pass a short access token, saying nothing of a session without a user token', () => {
    expect(sut.run({ clientAuthenticated: true, serviceToken: lasting(300, 0) })).toEqual({
      status: 'PASS',
      found: 'access token 300 s',
    });
  });

  it("should read the session from the user token and the access token from the service account's", () => {
    const findings = {
      clientAuthenticated: true,
      serviceToken: lasting(300, 0),
      userToken: lasting(600, 1800),
    };
    expect(sut.run(findings)).toEqual({
      status: 'PASS',
      found: 'access token 300 s, refresh/session 1800 s',
    });
  });

  it('should fail an access token that outlives the session', () => {
    const userToken = lasting(3600, 1800);
    expect(sut.run({ clientAuthenticated: true, userToken })).toEqual({
      status: 'FAIL',
      found: 'access token 3600 s, refresh/session 1800 s',
      fix: 'The access token outlives the session: lower "Access Token Lifespan" below the SSO session idle timeout.',
    });
  });

  it('should not compare with a session of 0 (no idle limit)', () => {
    const userToken = lasting(600, 0);
    expect(sut.run({ clientAuthenticated: true, userToken })).toMatchObject({ status: 'PASS' });
  });

  it.each([
    [3600, 'PASS', undefined],
    [
      3601,
      'WARN',
      'Access tokens over an hour are hard to revoke; a BFF refreshes cheaply, so 5–15 minutes is usual.',
    ],
  ] as const)('should rate a %i s access token %s', (expiresIn, status, fix) => {
    expect(sut.run({ clientAuthenticated: true, serviceToken: lasting(expiresIn) })).toEqual({
      status,
      found: `access token ${expiresIn} s`,
      ...(fix ? { fix } : {}),
    });
  });
});

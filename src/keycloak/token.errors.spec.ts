import { JwksUnavailableError, TokenRejectedError } from './token.errors';

describe(TokenRejectedError.name, () => {
  it('should keep quotes and newlines out of the challenge header', () => {
    const sut = new TokenRejectedError('TOKEN_MALFORMED', 'bad "value"\nhere');
    expect(sut.headers['WWW-Authenticate']).toBe(
      `Bearer realm="keycloak-bff", error="invalid_token", error_description="bad 'value' here"`,
    );
  });

  it('should take its status and title from the Keycloak table', () => {
    const sut = new TokenRejectedError('SESSION_NOT_ACTIVE', 'ended');
    expect(sut).toMatchObject({
      status: 401,
      code: 'SESSION_NOT_ACTIVE',
      title: 'Access token rejected',
    });
  });
});

describe(JwksUnavailableError.name, () => {
  it('should be a 503 that says where the keys were to come from', () => {
    const sut = new JwksUnavailableError('The certs endpoint answered 403');
    expect(sut).toMatchObject({
      status: 503,
      code: 'JWKS_UNAVAILABLE',
      hint: expect.stringContaining('KEYCLOAK_URL') as string,
    });
  });
});

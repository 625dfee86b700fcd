import { JwksUnavailableError, TokenRejectedError } from './token.errors';

describe(TokenRejectedError.name, () => {
  it('should keep quotes and newlines out of the challenge header', () => {
    const sut = new TokenRejectedError('TOKEN_MALFORMED', 'bad "value"\nhere');
    expect(sut.headers['WWW-Authenticate']).toBe(
      `Bearer realm="keycloak-bff", error="invalid_token", error_description="bad 'value'?here"`,
    );
  });

  it.each([
    ['a control character', 'kid a\u0001b'],
    ['DEL', 'iss a\u007fb'],
    ['NUL', 'alg a\u0000b'],
    ['a character beyond Latin-1', 'iss a\u4e2db'],
    ['a Latin-1 character', 'iss a\u00e9b'],
  ])('should keep %s out of the challenge header: printable ASCII only', (_what, detail) => {
    const sut = new TokenRejectedError('TOKEN_UNKNOWN_KEY', detail);
    const challenge = sut.headers['WWW-Authenticate'] ?? '';
    expect(challenge).toMatch(/^[\x20-\x7e]+$/);
    expect(challenge).toContain(`error_description="${detail.slice(0, 5)}?b"`);
    // The body keeps the detail as it was.
    expect(sut.detail).toBe(detail);
  });

  it('should cut a long detail short in the header, not in the body', () => {
    const detail = `The token was signed with key '${'k'.repeat(5000)}'`;
    const sut = new TokenRejectedError('TOKEN_UNKNOWN_KEY', detail);
    expect((sut.headers['WWW-Authenticate'] ?? '').length).toBeLessThan(300);
    expect(sut.detail).toBe(detail);
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

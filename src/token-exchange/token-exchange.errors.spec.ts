import { ProblemError } from '../common/errors/problem.error';
import { TokenRejectedError } from '../keycloak/token.errors';
import { KeycloakResponseError } from '../keycloak/keycloak.errors';
import { type ExchangeContext, mapTokenExchangeError } from './token-exchange.errors';

const answer = (status: number, error: string, error_description: string, linkUrl?: string) => {
  const err = new KeycloakResponseError('token', { status, error, error_description }, undefined);
  err.accountLinkUrl = linkUrl;
  return err;
};

const ctx = (over: Partial<ExchangeContext> = {}): ExchangeContext => ({
  clientId: 'bff',
  audiences: ['orders-api'],
  requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
  kind: 'standard',
  ...over,
});

const mapped = (err: KeycloakResponseError, c = ctx()): ProblemError => {
  const out = mapTokenExchangeError(err, c);
  if (!(out instanceof ProblemError)) throw new Error('expected a ProblemError');
  return out;
};

describe(mapTokenExchangeError.name, () => {
  it.each<[number, string, string, number, string]>([
    [
      400,
      'invalid_request',
      'Requested audience not available: orders-api',
      400,
      'AUDIENCE_NOT_AVAILABLE',
    ],
    [400, 'invalid_client', 'Audience not found', 400, 'AUDIENCE_NOT_AVAILABLE'],
    [400, 'invalid_scope', 'Invalid scopes: nope', 400, 'INVALID_SCOPE'],
    [
      400,
      'invalid_request',
      'Standard token exchange is not enabled for the requested client',
      502,
      'TOKEN_EXCHANGE_NOT_ENABLED',
    ],
    [403, 'access_denied', 'Client is not within the token audience', 403, 'TOKEN_EXCHANGE_DENIED'],
    [403, 'access_denied', 'Client not allowed to exchange', 403, 'TOKEN_EXCHANGE_DENIED'],
    [
      400,
      'invalid_request',
      'requested_token_type unsupported',
      400,
      'REQUESTED_TOKEN_TYPE_UNSUPPORTED',
    ],
    [400, 'invalid_request', 'Requested subject not found', 400, 'REQUESTED_SUBJECT_NOT_FOUND'],
    [400, 'invalid_token', 'Invalid token', 401, 'SESSION_NOT_ACTIVE'],
    [
      401,
      'unauthorized_client',
      'Invalid client or Invalid client credentials',
      502,
      'BFF_CLIENT_MISCONFIGURED',
    ],
    [
      400,
      'invalid_request',
      'Something Keycloak adds later',
      400,
      'TOKEN_EXCHANGE_INVALID_REQUEST',
    ],
    [
      400,
      'invalid_request',
      'Scope offline_access not allowed for token exchange',
      400,
      'INVALID_SCOPE',
    ],
    [
      400,
      'invalid_request',
      'Refresh token not valid as requested_token_type because creating a new session is needed',
      400,
      'REQUESTED_TOKEN_TYPE_UNSUPPORTED',
    ],
    [400, 'invalid_issuer', 'Invalid subject_issuer parameter', 502, 'IDENTITY_PROVIDER_NOT_FOUND'],
    [400, 'invalid_request', 'Invalid issuer', 502, 'IDENTITY_PROVIDER_NOT_FOUND'],
    [400, 'invalid_token', 'User already exists', 409, 'ACCOUNT_EXISTS'],
  ])('should map %i %s "%s" to %i %s', (status, error, description, ourStatus, code) => {
    const out = mapped(answer(status, error, description));
    expect({ status: out.status, code: out.code }).toEqual({ status: ourStatus, code });
    expect(out.upstream).toEqual({ status, error, error_description: description });
  });

  it('should pass the account link URL of not_linked on', () => {
    const out = mapped(
      answer(400, 'not_linked', 'identity provider is not linked', 'http://kc/link?x=1'),
      ctx({ kind: 'external-out', issuer: 'partner' }),
    );
    expect(out).toMatchObject({
      status: 400,
      code: 'ACCOUNT_NOT_LINKED',
      extensions: { accountLinkUrl: 'http://kc/link?x=1' },
    });
    expect(out.detail).toContain("'partner'");
  });

  it('should name the exact client attribute for a refused refresh token', () => {
    const out = mapped(
      answer(400, 'invalid_request', 'requested_token_type unsupported'),
      ctx({ requestedTokenType: 'urn:ietf:params:oauth:token-type:refresh_token' }),
    );
    expect(out.detail).toContain('refresh_token');
    expect(out.hint).toContain('standard.token.exchange.enableRefreshRequestedTokenType');
  });

  it("should name doctor's rows for an unavailable audience, so the answer leads to the kcadm.sh fix", () => {
    const out = mapped(
      answer(400, 'invalid_request', 'Requested audience not available: orders-api'),
    );
    expect(out.code).toBe('AUDIENCE_NOT_AVAILABLE');
    expect(out.hint).toContain(
      "(check 'token exchange', or 'proxy routes' for a route's audience)",
    );
  });

  it('should point at the audience mapper when the BFF is not in the token audience', () => {
    const out = mapped(answer(403, 'access_denied', 'Client is not within the token audience'));
    expect(out.hint).toContain('Audience');
    expect(out.hint).toContain("'bff'");
  });

  it.each<[ExchangeContext['kind'], string]>([
    ['impersonation', 'impersonate'],
    ['standard', 'token-exchange'],
    ['external-in', 'Identity providers'],
  ])('should name the legacy permission for a %s refusal', (kind, words) => {
    const out = mapped(
      answer(403, 'access_denied', 'Client not allowed to exchange'),
      ctx({ kind, issuer: 'partner' }),
    );
    expect(out.hint).toContain(words);
  });

  it('should blame the external token, not the session, when the partner token is bad', () => {
    const out = mapped(
      answer(400, 'invalid_token', 'Invalid token'),
      ctx({ kind: 'external-in', issuer: 'partner' }),
    );
    expect(out).toMatchObject({ status: 400, code: 'SUBJECT_TOKEN_INVALID' });
  });

  it('should blame the external token when Keycloak fails (500) on parsing it', () => {
    const out = mapped(
      answer(500, 'invalid_request', 'Cannot parse the JSON'),
      ctx({ kind: 'external-in', issuer: 'partner' }),
    );
    expect(out).toMatchObject({ status: 400, code: 'SUBJECT_TOKEN_INVALID' });
  });

  it('should say standard exchange may be off when a plain exchange is denied', () => {
    const out = mapped(answer(403, 'access_denied', 'Client not allowed to exchange'));
    expect(out.hint).toContain('Standard token exchange');
  });

  it('should answer a refused own token with a 401 challenge', () => {
    const out = mapped(answer(400, 'invalid_token', 'Token is not active'));
    expect(out).toBeInstanceOf(TokenRejectedError);
    expect(out.headers['WWW-Authenticate']).toContain('invalid_token');
  });

  it('should leave errors it does not know as they are', () => {
    const err = answer(500, 'unknown_error', 'boom');
    expect(mapTokenExchangeError(err, ctx())).toBe(err);
    const bug = new TypeError('x');
    expect(mapTokenExchangeError(bug, ctx())).toBe(bug);
  });
});

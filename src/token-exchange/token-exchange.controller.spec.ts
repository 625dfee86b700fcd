import { automock } from '../../test/utils/automock';
import { type ControllerApp, createControllerApp } from '../../test/utils/controller-app';
import { TokenExchangeController } from './token-exchange.controller';
import { TokenExchangeForbiddenError } from './token-exchange.errors';
import { TokenExchangeService } from './token-exchange.service';

const EXCHANGED = {
  access_token: 'narrow',
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  token_type: 'Bearer',
  expires_in: 300,
};
const EXTERNAL = { subject_token: 'partner-token', subject_issuer: 'partner' };

describe(TokenExchangeController.name, () => {
  let app: ControllerApp;
  let service: ReturnType<typeof automock<TokenExchangeService>>;

  beforeEach(async () => {
    service = automock(TokenExchangeService, {
      exchange: () => Promise.resolve(EXCHANGED),
    });
    app = await createControllerApp({
      controllers: [TokenExchangeController],
      providers: [{ provide: TokenExchangeService, useValue: service }],
    });
  });
  afterEach(async () => {
    await app.close();
  });

  const exchange = (payload: object, authorization?: string) =>
    app.inject({
      method: 'POST',
      url: '/token-exchange',
      payload,
      headers: authorization === undefined ? {} : { authorization },
    });

  it("should exchange the caller's token: 200, the caller and the body handed to the service", async () => {
    const res = await exchange({ audience: 'orders-api' }, app.bearer({ sub: 'alice' }));

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(EXCHANGED);
    const [caller, body] = service.exchange.mock.calls[0] ?? [];
    expect(caller).toMatchObject({ claims: { sub: 'alice' } });
    // A single audience arrives as a list.
    expect(body).toEqual({ audience: ['orders-api'] });
  });

  it('should answer 401 TOKEN_MISSING to a request with neither a bearer token nor an external one', async () => {
    const res = await exchange({ audience: 'orders-api' });

    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="keycloak-bff"');
    expect(res.json()).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(service.exchange).not.toHaveBeenCalled();
  });

  it('should let an external token through without a bearer token, with no caller (@BearerOptionalWhen)', async () => {
    const res = await exchange(EXTERNAL);

    expect(res.statusCode).toBe(200);
    expect(service.exchange).toHaveBeenCalledWith(undefined, EXTERNAL);
  });

  it('should still verify a bearer token sent along with an external token', async () => {
    const res = await exchange(EXTERNAL, 'Bearer not-a-jwt');

    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'TOKEN_MALFORMED' });
    expect(service.exchange).not.toHaveBeenCalled();
  });

  it.each([
    ['an external token without its issuer', { subject_token: 't' }, 'subject_issuer'],
    ['an audience that is no client id', { audience: ['a b'] }, 'audience'],
    ['an unknown requested_token_type', { requested_token_type: 'saml' }, 'requested_token_type'],
    ['an unknown field', { grant_type: 'password' }, 'grant_type'],
  ])('should refuse %s with 400 VALIDATION_FAILED', async (_, body, field) => {
    const res = await exchange(body, app.bearer());

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: expect.arrayContaining([expect.objectContaining({ field })]) as unknown[],
    });
    expect(service.exchange).not.toHaveBeenCalled();
  });

  it("should render the service's refusal with its status, code and extensions", async () => {
    service.exchange.mockRejectedValue(
      new TokenExchangeForbiddenError(
        'audience-allow-list',
        "Audience 'billing' is not in TOKEN_EXCHANGE_AUDIENCES",
        'Add it to TOKEN_EXCHANGE_AUDIENCES.',
      ),
    );

    const res = await exchange({ audience: 'billing' }, app.bearer());

    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({
      code: 'TOKEN_EXCHANGE_FORBIDDEN',
      rule: 'audience-allow-list',
      hint: 'Add it to TOKEN_EXCHANGE_AUDIENCES.',
      instance: '/token-exchange',
    });
  });
});

import { generateKeyPairSync } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { AuthModuleOptions } from '@nestjs/passport';
import { sign } from 'jsonwebtoken';
import passport from 'passport';
import { automock } from '../../../test/utils/automock';
import { SystemClock } from '../../common/clock/clock';
import type { AuthConfig } from '../../config/auth.config';
import type { KeycloakConfig } from '../../config/keycloak.config';
import { IntrospectedTokens } from '../../keycloak/introspected-tokens';
import {
  JwksService,
  type KeysRemovedListener,
  type VerificationKey,
} from '../../keycloak/jwks.service';
import { RealmTokenVerifier } from '../../keycloak/realm-token.verifier';
import { AuthModule } from '../auth.module';
import type { AuthenticatedUser } from '../authenticated-user';
import { BEARER_OPTIONAL_WHEN_KEY } from '../decorators/bearer-optional-when.decorator';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';
import { AuthenticationGuard } from './authentication.guard';
import { JWT_STRATEGY, JwtStrategy } from './jwt.strategy';

const ISSUER = 'http://kc/realms/demo';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY: VerificationKey = { kid: 'k1', alg: 'RS256', key: publicKey };
const nowS = () => Math.floor(Date.now() / 1000);
const token = (claims: object = {}) =>
  sign({ sub: 'alice', iss: ISSUER, aud: 'bff', exp: nowS() + 300, ...claims }, privateKey, {
    algorithm: 'RS256',
    keyid: 'k1',
  });

const COOKIE_SOURCE = 'test-cookie';
const COOKIE_CALLER = { claims: { sub: 'bob' }, roles: [], accessToken: 's', viaSession: true };
const COOKIE_REFUSAL = new Error('the cookie source refused');

/**
 * A second credential source, as the session cookie is in the app: `x-test-cookie: good` is a
 * caller, `bad` a refusal, none not its request.
 */
class TestCookieStrategy extends passport.Strategy {
  readonly asked = jest.fn();

  override authenticate(req: object): void {
    const value = (req as { headers: Record<string, string | undefined> }).headers['x-test-cookie'];
    this.asked(value);
    if (value === undefined) {
      this.fail(401);
    } else if (value === 'good') {
      this.success(COOKIE_CALLER);
    } else {
      this.error(COOKIE_REFUSAL);
    }
  }
}

function setup() {
  let removed: KeysRemovedListener = () => undefined;
  const jwks = automock(JwksService, {
    getKey: () => Promise.resolve(KEY),
    cached: () => KEY,
    algorithms: ['RS256'],
    has: (kid) => kid === 'k1',
    onKeysRemoved: (listener) => {
      removed = listener;
    },
  });
  const auth = { audience: 'bff', clockToleranceSec: 5, tokenCacheSize: 10 } as AuthConfig;
  const verifier = new RealmTokenVerifier(
    jwks,
    { expectedIssuer: ISSUER, clientId: 'bff' } as KeycloakConfig,
    auth,
  );
  const bearer = new JwtStrategy(verifier, introspectionOff(), jwks, auth, new SystemClock());
  const cookie = new TestCookieStrategy();
  passport.use(COOKIE_SOURCE, cookie);
  const options = Object.assign(new AuthModuleOptions(), {
    defaultStrategy: [JWT_STRATEGY, COOKIE_SOURCE],
  });
  const sut = new AuthenticationGuard(new Reflector(), bearer, options);
  return { sut, bearer, jwks, cookie, dropKeys: (kids: string[]) => removed(kids) };
}

type Request = { headers: Record<string, string>; method: string; user?: AuthenticatedUser };

function request(headers: Record<string, string> = {}): Request {
  return { headers, method: 'GET' };
}

/** A route: its handler carries the metadata the decorators would set. */
function route(request: Request, metadata: Record<string, unknown> = {}): ExecutionContext {
  const handler = (): void => undefined;
  for (const [key, value] of Object.entries(metadata)) {
    Reflect.defineMetadata(key, value, handler);
  }
  return new ExecutionContextHost([request, {}], class Controller {}, handler);
}

describe(AuthenticationGuard.name, () => {
  it('should let a @Public() route through without asking any source', async () => {
    const { sut, cookie } = setup();
    const req = request({ 'x-test-cookie': 'good' });

    expect(await sut.canActivate(route(req, { [IS_PUBLIC_KEY]: true }))).toBe(true);
    expect(req.user).toBeUndefined();
    expect(cookie.asked).not.toHaveBeenCalled();
  });

  it('should answer a request with no credential with TOKEN_MISSING and the bare bearer challenge', async () => {
    const { sut, cookie } = setup();

    await expect(sut.canActivate(route(request()))).rejects.toMatchObject({
      status: 401,
      code: 'TOKEN_MISSING',
      headers: { 'WWW-Authenticate': 'Bearer realm="keycloak-bff"' },
    });
    // Every source was asked, and the first one's failure is the answer.
    expect(cookie.asked).toHaveBeenCalledWith(undefined);
  });

  it('should take the caller from a valid bearer token and ask no later source', async () => {
    const { sut, cookie } = setup();
    const alice = token();
    const req = request({ authorization: `Bearer ${alice}`, 'x-test-cookie': 'good' });

    expect(await sut.canActivate(route(req))).toBe(true);
    expect(req.user).toMatchObject({ claims: { sub: 'alice' }, accessToken: alice });
    expect(req.user?.viaSession).toBeUndefined();
    expect(cookie.asked).not.toHaveBeenCalled();
  });

  it.each([
    ['expired', token({ exp: nowS() - 60 }), 'TOKEN_EXPIRED'],
    ['for another audience', token({ aud: 'other' }), 'TOKEN_AUDIENCE_MISMATCH'],
    ['garbage', 'garbage', 'TOKEN_MALFORMED'],
  ])(
    'should refuse a bearer token that is %s with its code, even with a valid cookie beside it',
    async (_what, bad, code) => {
      const { sut, cookie } = setup();
      const req = request({ authorization: `Bearer ${bad}`, 'x-test-cookie': 'good' });

      await expect(sut.canActivate(route(req))).rejects.toMatchObject({
        status: 401,
        code,
        headers: {
          'WWW-Authenticate': expect.stringContaining('error="invalid_token"') as string,
        },
      });
      expect(cookie.asked).not.toHaveBeenCalled();
      expect(req.user).toBeUndefined();
    },
  );

  it('should take the caller from the next source when no bearer token came', async () => {
    const { sut } = setup();
    const req = request({ 'x-test-cookie': 'good' });

    expect(await sut.canActivate(route(req))).toBe(true);
    expect(req.user).toEqual(COOKIE_CALLER);
  });

  it("should end the pipeline with the next source's own refusal", async () => {
    const { sut } = setup();

    await expect(sut.canActivate(route(request({ 'x-test-cookie': 'bad' })))).rejects.toBe(
      COOKIE_REFUSAL,
    );
  });

  it('should let a @BearerOptionalWhen() request without a bearer token through, asking no other source', async () => {
    const { sut, cookie } = setup();
    const req = request({ 'x-test-cookie': 'bad' });

    const passes = await sut.canActivate(route(req, { [BEARER_OPTIONAL_WHEN_KEY]: () => true }));

    expect(passes).toBe(true);
    expect(req.user).toBeUndefined();
    expect(cookie.asked).not.toHaveBeenCalled();
  });

  it('should still verify a bearer token sent to a @BearerOptionalWhen() route', async () => {
    const { sut } = setup();
    const req = request({ authorization: 'Bearer garbage' });

    await expect(
      sut.canActivate(route(req, { [BEARER_OPTIONAL_WHEN_KEY]: () => true })),
    ).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('should answer a token it verified before from memory, without running the pipeline', async () => {
    const { sut, bearer, jwks } = setup();
    const alice = token();
    await sut.canActivate(route(request({ authorization: `Bearer ${alice}` })));
    const pipeline = jest.spyOn(bearer, 'authenticate');
    const again = request({ authorization: `Bearer ${alice}` });

    expect(await sut.canActivate(route(again))).toBe(true);
    expect(again.user).toMatchObject({ claims: { sub: 'alice' }, accessToken: alice });
    expect(pipeline).not.toHaveBeenCalled();
    expect(jwks.getKey).toHaveBeenCalledTimes(1);
  });

  it('should verify again a remembered token whose key the realm dropped', async () => {
    const { sut, jwks, dropKeys } = setup();
    const alice = token();
    await sut.canActivate(route(request({ authorization: `Bearer ${alice}` })));

    dropKeys(['k1']);
    await sut.canActivate(route(request({ authorization: `Bearer ${alice}` })));

    expect(jwks.getKey).toHaveBeenCalledTimes(2);
  });
});

describe(AuthModule.name, () => {
  it('should list the credential sources for the guard, the bearer token first', () => {
    const module = AuthModule.forRoot({ credentialSources: [JWT_STRATEGY, COOKIE_SOURCE] });
    expect(JSON.stringify(module.imports)).toContain(
      `"defaultStrategy":["${JWT_STRATEGY}","${COOKIE_SOURCE}"]`,
    );
  });

  it('should refuse a list that does not start with the bearer token', () => {
    expect(() => AuthModule.forRoot({ credentialSources: [COOKIE_SOURCE, JWT_STRATEGY] })).toThrow(
      "the bearer token ('keycloak-jwt') must be the first credential source, not 'test-cookie'",
    );
  });
});

/** AUTH_INTROSPECTION=off: no token is introspected, so nothing of it may be called. */
function introspectionOff(): IntrospectedTokens {
  return automock(IntrospectedTokens, { enabled: false, wants: () => false });
}

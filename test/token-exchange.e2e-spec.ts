import { freePort } from '../scripts/keycloak/distribution';
import { browserlessLogin, CookieJar, sessionEnv } from './utils/browserless';
import { OpenApiValidator, validatingFetches } from './utils/openapi-validator';
import { createValidatedTestApp, type TestApp } from './utils/test-app';
import { adminFetch, decodeJwt, kc, passwordGrant, verifyWithJwks, userId } from './utils/keycloak';
import { type KeycloakProxy, startProxy } from '../scripts/support/keycloak-proxy';

const URN = 'urn:ietf:params:oauth:token-type:';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Exchanged {
  access_token: string;
  issued_token_type: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** Sets one attribute of client bff through the Admin API; returns the previous value. */
async function setBffAttribute(name: string, value: string): Promise<string | undefined> {
  const [client] = (await (await adminFetch('/realms/demo/clients?clientId=bff')).json()) as {
    id: string;
    attributes: Record<string, string>;
  }[];
  if (!client) {
    throw new Error('no client bff');
  }
  const previous = client.attributes[name];
  const res = await adminFetch(`/realms/demo/clients/${client.id}`, {
    method: 'PUT',
    body: { ...client, attributes: { ...client.attributes, [name]: value } },
  });
  expect(res.status).toBe(204);
  return previous;
}

async function jwks(realm = 'demo') {
  const res = await fetch(`${kc.realmUrl(realm)}/protocol/openid-connect/certs`);
  return (await res.json()) as Parameters<typeof verifyWithJwks>[1];
}

const audiences = (claims: Record<string, unknown>): string[] => {
  const aud = claims.aud;
  return Array.isArray(aud) ? (aud as string[]) : typeof aud === 'string' ? [aud] : [];
};

describe('Token exchange (real Keycloak)', () => {
  let proxy: KeycloakProxy;
  let sut: TestApp;
  let alice: string;
  let bob: string;

  const exchange = (token: string | undefined, body: Record<string, unknown>) =>
    sut.inject({
      method: 'POST',
      url: '/token-exchange',
      headers: token ? bearer(token) : {},
      payload: body,
    });
  const tokenCalls = () =>
    proxy.seen.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/protocol/openid-connect/token'),
    );

  beforeAll(async () => {
    // Behind a counting proxy, so "Keycloak was not called" is observed, not assumed.
    proxy = await startProxy(kc.url());
    sut = await createValidatedTestApp({
      KEYCLOAK_URL: proxy.url,
      KEYCLOAK_PUBLIC_URL: kc.url(),
      TOKEN_EXCHANGE_AUDIENCES: 'orders-api,ghost-api',
    });
    alice = (await passwordGrant('alice', 'alice-password', 'openid phone address')).access_token;
    bob = (await passwordGrant('bob', 'bob-password')).access_token;
  });

  afterAll(async () => {
    await sut.close();
    await proxy.close();
  });

  it("should narrow alice's token to orders-api: verifiable, aud orders-api only, her sub and orders role", async () => {
    const res = await exchange(alice, { audience: 'orders-api' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Exchanged>();
    expect(body).toMatchObject({ issued_token_type: `${URN}access_token`, token_type: 'Bearer' });
    expect(body.expires_in).toBeGreaterThan(0);
    expect(verifyWithJwks(body.access_token, await jwks())).toBe(true);
    const claims = decodeJwt(body.access_token).payload;
    expect(audiences(claims)).toEqual(['orders-api']);
    expect(claims.sub).toBe(decodeJwt(alice).payload.sub);
    expect(claims.azp).toBe('bff');
    expect(claims.resource_access).toEqual(
      expect.objectContaining({ 'orders-api': { roles: expect.arrayContaining(['orders:read']) } }),
    );
  });

  it('should exchange with the body Swagger UI pre-fills (the first example of the document)', async () => {
    const doc = (await sut.inject({ method: 'GET', url: '/docs-json' })).json<{
      paths: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }>;
    }>();
    const { examples } = doc.paths['/token-exchange']?.post.requestBody.content[
      'application/json'
    ] as { examples: Record<string, { value: Record<string, unknown> }> };
    const [first] = Object.values(examples);
    const res = await exchange(alice, first?.value ?? {});
    expect(res.statusCode).toBe(200);
    expect(audiences(decodeJwt(res.json<Exchanged>().access_token).payload)).toEqual([
      'orders-api',
    ]);
  });

  it('should narrow the scope when asked, and refuse an unknown scope with INVALID_SCOPE', async () => {
    // Default client scopes (profile, email) always come along; optional ones can be dropped.
    expect(String(decodeJwt(alice).payload.scope).split(' ')).toEqual(
      expect.arrayContaining(['phone', 'address']),
    );
    const narrowed = await exchange(alice, { audience: ['orders-api'], scope: 'openid phone' });
    expect(narrowed.statusCode).toBe(200);
    const scopes = String(decodeJwt(narrowed.json<Exchanged>().access_token).payload.scope).split(
      ' ',
    );
    expect(scopes).toEqual(expect.arrayContaining(['openid', 'phone']));
    expect(scopes).not.toContain('address');

    const unknown = await exchange(alice, {
      audience: 'orders-api',
      scope: 'openid no-such-scope',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json()).toMatchObject({
      code: 'INVALID_SCOPE',
      upstream: { error: 'invalid_scope' },
    });
  });

  it('should refuse an audience outside the allow-list without calling Keycloak', async () => {
    const before = tokenCalls().length;
    const res = await exchange(alice, { audience: ['orders-api', 'admin-api'] });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'TOKEN_EXCHANGE_FORBIDDEN',
      rule: 'audience-allow-list',
      detail: expect.stringContaining("'admin-api'"),
    });
    expect(tokenCalls()).toHaveLength(before);
  });

  it('should refuse an exchange without audience, which Keycloak would answer with every audience', async () => {
    const before = tokenCalls().length;
    const res = await exchange(alice, { scope: 'openid' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'TOKEN_EXCHANGE_FORBIDDEN',
      rule: 'audience-required',
    });
    expect(tokenCalls()).toHaveLength(before);
  });

  it.each([
    ['bob, who has no orders-api role', 'orders-api'],
    ['a client id the realm does not have', 'ghost-api'],
  ])(
    'should answer AUDIENCE_NOT_AVAILABLE for an allowed audience unavailable to %s',
    async (_who, audience) => {
      const before = tokenCalls().length;
      const res = await exchange(bob, { audience });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'AUDIENCE_NOT_AVAILABLE',
        detail: expect.stringContaining(audience),
      });
      expect(tokenCalls()).toHaveLength(before + 1);
    },
  );

  it('should validate the body before anything else', async () => {
    const res = await exchange(alice, { audience: 'orders api', requested_token_type: 'saml2' });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; errors: { field: string }[] }>();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e) => e.field).sort()).toEqual(['audience', 'requested_token_type']);
  });

  it('should demand a bearer token unless an external token is sent', async () => {
    const res = await exchange(undefined, { audience: 'orders-api' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'TOKEN_MISSING' });
  });

  describe('requested_token_type', () => {
    const REFRESH_SETTING = 'standard.token.exchange.enableRefreshRequestedTokenType';

    it('should return a refresh token where the client allows it (realm: SAME_SESSION)', async () => {
      const res = await exchange(alice, {
        audience: 'orders-api',
        requested_token_type: 'refresh_token',
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<Exchanged>();
      expect(body.issued_token_type).toBe(`${URN}refresh_token`);
      expect(body.refresh_token).toEqual(expect.any(String));
      expect(audiences(decodeJwt(body.access_token).payload)).toEqual(['orders-api']);
    });

    it('should explain the client setting where the client does not allow it', async () => {
      const previous = await setBffAttribute(REFRESH_SETTING, 'NO');
      try {
        const res = await exchange(alice, {
          audience: 'orders-api',
          requested_token_type: `${URN}refresh_token`,
        });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({
          code: 'REQUESTED_TOKEN_TYPE_UNSUPPORTED',
          hint: expect.stringContaining(REFRESH_SETTING),
          upstream: {
            error: 'invalid_request',
            error_description: 'requested_token_type unsupported',
          },
        });
      } finally {
        await setBffAttribute(REFRESH_SETTING, previous ?? 'NO');
      }
    });

    it('should return an ID token when asked for one', async () => {
      const res = await exchange(alice, {
        audience: 'orders-api',
        requested_token_type: 'id_token',
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<Exchanged>();
      expect(body).toMatchObject({ issued_token_type: `${URN}id_token`, token_type: 'N_A' });
      const claims = decodeJwt(body.access_token).payload;
      expect(claims.typ).toBe('ID');
      expect(claims.sub).toBe(decodeJwt(alice).payload.sub);
    });
  });

  describe('legacy token exchange (impersonation, external tokens)', () => {
    let open: TestApp;
    const exchangeOpen = (token: string | undefined, body: Record<string, unknown>) =>
      open.inject({
        method: 'POST',
        url: '/token-exchange',
        headers: token ? bearer(token) : {},
        payload: body,
      });
    const partnerToken = async () =>
      (
        await passwordGrant('pat', 'pat-password', 'openid', {
          realm: 'partner',
          id: 'demo-broker',
          secret: 'demo-broker-secret',
        })
      ).access_token;

    beforeAll(async () => {
      open = await createValidatedTestApp({
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
        TOKEN_EXCHANGE_IMPERSONATION_ENABLED: 'true',
        TOKEN_EXCHANGE_EXTERNAL_ISSUERS: 'partner',
      });
    });

    afterAll(async () => {
      await open.close();
    });

    it("should let alice (admin) impersonate bob: the new token is bob's", async () => {
      const res = await exchangeOpen(alice, { requested_subject: 'bob' });
      expect(res.statusCode).toBe(200);
      const token = res.json<Exchanged>().access_token;
      expect(verifyWithJwks(token, await jwks())).toBe(true);
      const claims = decodeJwt(token).payload;
      expect(claims.sub).toBe(await userId('bob'));
      expect(claims.preferred_username).toBe('bob');
      expect(claims.azp).toBe('bff');
    });

    it('should refuse bob, who is no admin, impersonating alice, without asking Keycloak', async () => {
      const before = tokenCalls().length;
      const res = await exchangeOpen(bob, { requested_subject: 'alice' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        code: 'TOKEN_EXCHANGE_FORBIDDEN',
        rule: 'impersonation-role',
      });
      expect(tokenCalls()).toHaveLength(before);
    });

    it('should refuse impersonation while it is switched off', async () => {
      const before = tokenCalls().length;
      const res = await exchange(alice, { requested_subject: 'bob' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        code: 'TOKEN_EXCHANGE_FORBIDDEN',
        rule: 'impersonation-disabled',
        hint: expect.stringContaining('TOKEN_EXCHANGE_IMPERSONATION_ENABLED'),
      });
      expect(tokenCalls()).toHaveLength(before);
    });

    it('should exchange a partner token (no bearer) for a demo token of the imported, then linked user', async () => {
      const partner = await partnerToken();
      expect(decodeJwt(partner).payload.iss).toBe(kc.realmUrl('partner'));

      const first = await exchangeOpen(undefined, {
        subject_issuer: 'partner',
        subject_token: partner,
      });
      expect(first.statusCode).toBe(200);
      const token = first.json<Exchanged>().access_token;
      expect(verifyWithJwks(token, await jwks())).toBe(true);
      const claims = decodeJwt(token).payload;
      expect(claims).toMatchObject({
        iss: kc.realmUrl('demo'),
        azp: 'bff',
        preferred_username: 'pat',
      });

      // The demo user is linked to its partner identity, and a second exchange finds it again.
      const links = (await (
        await adminFetch(`/realms/demo/users/${String(claims.sub)}/federated-identity`)
      ).json()) as { identityProvider: string; userName: string }[];
      expect(links).toEqual([
        expect.objectContaining({ identityProvider: 'partner', userName: 'pat' }),
      ]);
      const again = await exchangeOpen(undefined, {
        subject_issuer: 'partner',
        subject_token: await partnerToken(),
        subject_token_type: 'jwt',
      });
      expect(again.statusCode).toBe(200);
      expect(decodeJwt(again.json<Exchanged>().access_token).payload.sub).toBe(claims.sub);
    });

    it('should answer ACCOUNT_NOT_LINKED with the link URL for alice asking for a partner token', async () => {
      const res = await exchangeOpen(alice, { requested_issuer: 'partner' });
      expect(res.statusCode).toBe(400);
      const body = res.json<{
        code: string;
        accountLinkUrl: string;
        upstream: { error: string };
      }>();
      expect(body).toMatchObject({ code: 'ACCOUNT_NOT_LINKED', upstream: { error: 'not_linked' } });
      expect(new URL(body.accountLinkUrl).pathname).toBe('/realms/demo/broker/partner/link');
    });

    it("should call a garbage external token the caller's mistake, not a server error", async () => {
      const res = await exchangeOpen(undefined, {
        subject_issuer: 'partner',
        subject_token: 'not-a-jwt',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'SUBJECT_TOKEN_INVALID' });
    });

    it('should refuse external tokens while no identity provider is allowed', async () => {
      const res = await exchange(undefined, {
        subject_issuer: 'partner',
        subject_token: await partnerToken(),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        code: 'TOKEN_EXCHANGE_FORBIDDEN',
        rule: 'external-exchange-disabled',
      });
    });
  });

  describe('in cookie-session mode', () => {
    let session: TestApp;
    let bff: string;

    beforeAll(async () => {
      const port = await freePort();
      bff = `http://127.0.0.1:${port}`;
      session = await createValidatedTestApp({ ...sessionEnv(port), REDIS_URL: undefined });
      await session.app.listen(port, '127.0.0.1');
    });

    afterAll(async () => {
      await session.close();
    });

    it('should need the CSRF header, then refuse to hand the session tokens to the browser', async () => {
      const jar = validatingFetches(new CookieJar(), await OpenApiValidator.of(session), bff);
      expect((await browserlessLogin(jar, bff)).status).toBe(302);
      const post = (headers: Record<string, string>) =>
        jar.fetch(`${bff}/token-exchange`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ audience: 'orders-api' }),
        });

      const withoutHeader = await post({});
      expect(withoutHeader.status).toBe(403);
      expect(await withoutHeader.json()).toMatchObject({ code: 'CSRF_HEADER_MISSING' });

      const withHeader = await post({ 'x-csrf': '1' });
      expect(withHeader.status).toBe(403);
      const body = (await withHeader.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ code: 'TOKEN_EXCHANGE_FORBIDDEN', rule: 'session-caller' });
      expect(JSON.stringify(body)).not.toMatch(/eyJ[\w-]{10,}\./);
    });
  });
});

import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

/** Direct calls to the test Keycloak, for arranging and checking (never through the BFF). */
export const kc = {
  url: (): string => required('KEYCLOAK_URL'),
  realmUrl: (realm = 'demo'): string => `${kc.url()}/realms/${realm}`,
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run e2e tests through jest's globalSetup`);
  }
  return value;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  scope?: string;
}

export async function passwordGrant(
  username: string,
  password: string,
  scope = 'openid',
  client: { realm?: string; id?: string; secret?: string } = {},
): Promise<TokenResponse> {
  const res = await fetch(`${kc.realmUrl(client.realm)}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: client.id ?? 'bff',
      client_secret: client.secret ?? 'bff-secret',
      username,
      password,
      scope,
    }),
  });
  if (!res.ok) {
    throw new Error(`password grant for ${username} failed: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as TokenResponse;
}

export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token.split('.');
  const parse = (part: string | undefined) =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: parse(header), payload: parse(payload) };
}

/** Checks an RS256 JWT's signature against a JWKS, independently of the BFF's own verifier. */
export function verifyWithJwks(
  token: string,
  jwks: { keys: (JsonWebKey & { kid?: string })[] },
): boolean {
  const [header, payload, signature] = token.split('.');
  const { kid, alg } = decodeJwt(token).header;
  if (alg !== 'RS256') {
    throw new Error(`unexpected alg ${String(alg)}`);
  }
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) {
    return false;
  }
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    key,
    Buffer.from(signature ?? '', 'base64url'),
  );
}

export async function clientCredentialsGrant(
  clientId = 'bff',
  clientSecret = 'bff-secret',
  realm = 'demo',
): Promise<TokenResponse> {
  const res = await fetch(`${kc.realmUrl(realm)}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  if (!res.ok) {
    throw new Error(
      `client credentials grant for ${clientId} failed: ${res.status} ${await res.text()}`,
    );
  }
  return (await res.json()) as TokenResponse;
}

/** The master realm's bootstrap admin, for arranging tests through the Admin REST API. */
export async function adminFetch(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  const tokenRes = await fetch(`${kc.realmUrl('master')}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: process.env.KEYCLOAK_ADMIN_USERNAME ?? 'admin',
      password: process.env.KEYCLOAK_ADMIN_PASSWORD ?? 'admin',
    }),
  });
  const { access_token } = (await tokenRes.json()) as TokenResponse;
  return fetch(`${kc.url()}/admin${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** Creates a realm (or leaves an existing one) from a representation. */
export async function ensureRealm(
  representation: { realm: string } & Record<string, unknown>,
): Promise<void> {
  const exists = await adminFetch(`/realms/${representation.realm}`);
  if (exists.ok) {
    return;
  }
  const res = await adminFetch('/realms', { method: 'POST', body: representation });
  if (res.status !== 201) {
    throw new Error(
      `creating realm ${representation.realm} failed: ${res.status} ${await res.text()}`,
    );
  }
}

/** The id of a demo-realm user, looked up through the Admin API. */
export async function userId(username: string): Promise<string> {
  const res = await adminFetch(`/realms/demo/users?username=${username}&exact=true`);
  const [user] = (await res.json()) as { id: string }[];
  if (!user) {
    throw new Error(`no user ${username}`);
  }
  return user.id;
}

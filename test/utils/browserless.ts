import { randomBytes } from 'node:crypto';
import { adminFetch, kc } from './keycloak';

/** The demo realm's client for the cookie-session mode (10 s access tokens). */
export const SESSION_CLIENT = { id: 'bff-session', secret: 'bff-session-secret' };

/** Environment of a BFF in cookie-session mode listening on 127.0.0.1:port. */
export function sessionEnv(
  port: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KEYCLOAK_CLIENT_ID: SESSION_CLIENT.id,
    KEYCLOAK_CLIENT_SECRET: SESSION_CLIENT.secret,
    HOST: '127.0.0.1',
    PORT: String(port),
    SESSION_ENABLED: 'true',
    SESSION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SESSION_REDIRECT_URI: `http://127.0.0.1:${port}/auth/callback`,
    SESSION_POST_LOGOUT_REDIRECT_URI: `http://127.0.0.1:${port}/`,
    SESSION_RETURN_TO_ORIGINS: 'http://127.0.0.1:5173',
    // Every test login comes from 127.0.0.1; the login-start limit has its own test.
    LOGIN_START_RATE_LIMIT_PER_IP: '1000',
    ...extra,
  };
}

export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  /** Every attribute as sent, lower-cased name → value ('' for flags). */
  attributes: Record<string, string>;
}

/**
 * A minimal cookie jar for one host (127.0.0.1: the BFF and Keycloak differ only by port, and
 * cookies ignore ports). Enough for following a login like a browser does.
 */
export class CookieJar {
  readonly cookies = new Map<string, StoredCookie>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const cookie = parseSetCookie(line);
      const expired =
        cookie.attributes['max-age'] === '0' ||
        (cookie.attributes.expires !== undefined &&
          Date.parse(cookie.attributes.expires) <= Date.now());
      const key = `${cookie.path}|${cookie.name}`;
      if (expired || cookie.value === '') {
        this.cookies.delete(key);
      } else {
        this.cookies.set(key, cookie);
      }
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => path.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  get(name: string): StoredCookie | undefined {
    return [...this.cookies.values()].find((c) => c.name === name);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) {
      headers.set('cookie', cookie);
    }
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(res);
    return res;
  }
}

export function parseSetCookie(line: string): StoredCookie {
  const [pair = '', ...attrs] = line.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string> = {};
  for (const attr of attrs) {
    const at = attr.indexOf('=');
    attributes[(at < 0 ? attr : attr.slice(0, at)).toLowerCase()] =
      at < 0 ? '' : attr.slice(at + 1);
  }
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    path: attributes.path ?? '/',
    attributes,
  };
}

function location(res: Response, from: string): string {
  const target = res.headers.get('location');
  if (res.status !== 302 && res.status !== 303) {
    throw new Error(`expected a redirect from ${from}, got ${res.status}`);
  }
  if (!target) {
    throw new Error(`redirect from ${from} without Location`);
  }
  return new URL(target, from).href;
}

/** GET /auth/login → Keycloak's authorization URL (the login cookie lands in the jar). */
export async function startLogin(jar: CookieJar, bff: string, returnTo?: string): Promise<string> {
  const url = `${bff}/auth/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`;
  return location(await jar.fetch(url), url);
}

/**
 * Keycloak's login page, filled in as a person would: fetch the form, post the credentials with
 * Keycloak's cookies, and return where Keycloak redirects (the BFF's callback with code and state).
 */
export async function signInAtKeycloak(
  jar: CookieJar,
  authorizationUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const page = await jar.fetch(authorizationUrl);
  if (page.status === 302) {
    // Keycloak's SSO cookie is in the jar: no form, straight back to the callback.
    return location(page, authorizationUrl);
  }
  const html = await page.text();
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action) {
    throw new Error(`no Keycloak login form at ${authorizationUrl} (${page.status})`);
  }
  const formUrl = action.replace(/&amp;/g, '&');
  const res = await jar.fetch(formUrl, {
    method: 'POST',
    body: new URLSearchParams({ username, password, credentialId: '' }),
  });
  return location(res, formUrl);
}

/** The whole browser-less login; returns the callback's response (302 to returnTo). */
export async function browserlessLogin(
  jar: CookieJar,
  bff: string,
  username = 'alice',
  password = 'alice-password',
  returnTo?: string,
): Promise<Response> {
  const authorizationUrl = await startLogin(jar, bff, returnTo);
  const callbackUrl = await signInAtKeycloak(jar, authorizationUrl, username, password);
  return jar.fetch(callbackUrl);
}

async function clientUuid(clientId: string): Promise<string> {
  const res = await adminFetch(`/realms/demo/clients?clientId=${clientId}`);
  const [client] = (await res.json()) as { id: string }[];
  if (!client) {
    throw new Error(`no client ${clientId}`);
  }
  return client.id;
}

/** Points the session client's back-channel logout URL at a BFF on this port. */
export async function setBackchannelLogoutUrl(port: number): Promise<void> {
  const id = await clientUuid(SESSION_CLIENT.id);
  const client = (await (await adminFetch(`/realms/demo/clients/${id}`)).json()) as {
    attributes: Record<string, string>;
  };
  client.attributes['backchannel.logout.url'] = `http://127.0.0.1:${port}/auth/backchannel-logout`;
  const res = await adminFetch(`/realms/demo/clients/${id}`, { method: 'PUT', body: client });
  if (!res.ok) {
    throw new Error(`updating ${SESSION_CLIENT.id} failed: ${res.status}`);
  }
}

/**
 * Keycloak's own count of refresh grants (REFRESH_TOKEN events) for the session client since
 * `sinceMs`: the proof that concurrent calls made exactly one refresh, independent of the BFF.
 */
export async function refreshEventsSince(sinceMs: number): Promise<number> {
  const res = await adminFetch(
    `/realms/demo/events?type=REFRESH_TOKEN&client=${SESSION_CLIENT.id}&max=1000`,
  );
  const events = (await res.json()) as { time: number }[];
  return events.filter((e) => e.time >= sinceMs).length;
}

/** Turns on Keycloak's user events for the demo realm (REFRESH_TOKEN among them). */
export async function enableRefreshEvents(): Promise<void> {
  const res = await adminFetch('/realms/demo/events/config');
  const config = (await res.json()) as Record<string, unknown>;
  const types = new Set((config.enabledEventTypes as string[] | undefined) ?? []);
  types.add('REFRESH_TOKEN');
  types.add('LOGIN');
  const put = await adminFetch('/realms/demo/events/config', {
    method: 'PUT',
    body: { ...config, eventsEnabled: true, enabledEventTypes: [...types] },
  });
  if (!put.ok) {
    throw new Error(`enabling events failed: ${put.status}`);
  }
}

/** A refresh grant at Keycloak directly, as the session client: does the token still work? */
export async function refreshDirectly(refreshToken: string): Promise<Response> {
  return fetch(`${kc.realmUrl()}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: SESSION_CLIENT.id,
      client_secret: SESSION_CLIENT.secret,
    }),
  });
}

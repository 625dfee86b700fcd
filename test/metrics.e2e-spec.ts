import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type KeycloakProxy, startProxy } from '../scripts/support/keycloak-proxy';
import { MetricsServer } from '../src/common/metrics/metrics.server';
import { kc } from './utils/keycloak';
import { createTestApp, type TestApp } from './utils/test-app';

/** Counter-like samples (`*_total`, histogram `*_count`) of the BFF's own metrics, by series. */
type Samples = Map<string, number>;

function countersOf(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    const match = /^(bff_\w+(?:_total|_count))(\{[^}]*\})? (\S+)$/.exec(line);
    if (match) {
      samples.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
    }
  }
  return samples;
}

/** The series that moved between two scrapes, and by how much. */
function moved(before: Samples, after: Samples): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [series, value] of after) {
    const delta = value - (before.get(series) ?? 0);
    if (delta !== 0) {
      diff[series] = delta;
    }
  }
  return diff;
}

/** A real-looking access token whose signature is someone else's: the payload was changed. */
function forged(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  const changed = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
  return `${header}.${changed}.${signature}`;
}

describe('Prometheus metrics (real Keycloak)', () => {
  let proxy: KeycloakProxy;
  let sut: TestApp;
  let scrapeUrl: string;

  const scrape = async (): Promise<string> => {
    const res = await fetch(scrapeUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  /** Runs `step` and returns exactly which counters moved, and by how much. */
  const movedBy = async (step: () => Promise<void>): Promise<Record<string, number>> => {
    const before = countersOf(await scrape());
    await step();
    return moved(before, countersOf(await scrape()));
  };

  const login = (password: string) =>
    sut.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'alice', password },
    });

  beforeAll(async () => {
    // Keycloak behind a proxy the last test closes: Keycloak goes away.
    proxy = await startProxy(kc.url());
    sut = await createTestApp({
      KEYCLOAK_URL: proxy.url,
      KEYCLOAK_PUBLIC_URL: kc.url(),
      TOKEN_EXCHANGE_AUDIENCES: 'orders-api',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      // No periodic JWKS refresh during the test: only what each step does may move.
      JWKS_REFRESH_INTERVAL_MS: '3600000',
    });
    const port = await sut.app.get(MetricsServer).start();
    scrapeUrl = `http://127.0.0.1:${port}/metrics`;
  });

  afterAll(async () => {
    await sut.close();
    await proxy.close();
  });

  it("should ship alert rules that promtool accepts, over the BFF's own series", () => {
    const rules = join(__dirname, '..', 'deploy', 'prometheus', 'alerts.yml');

    const out = execFileSync('promtool', ['check', 'rules', rules]).toString();

    expect(out).toContain('SUCCESS: 5 rules found');
  });

  it('should serve a scrape that promtool accepts, with the process metrics and every BFF series declared', async () => {
    const text = await scrape();

    // promtool prints its lint findings and exits non-zero on any.
    expect(() => execFileSync('promtool', ['check', 'metrics'], { input: text })).not.toThrow();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    for (const name of [
      'bff_http_request_duration_seconds',
      'bff_http_requests_in_flight',
      'bff_token_verifications_total',
      'bff_token_cache_lookups_total',
      'bff_token_cache_entries',
      'bff_jwks_fetches_total',
      'bff_jwks_keys',
      'bff_jwks_seconds_since_last_success',
      'bff_keycloak_requests_total',
      'bff_keycloak_request_duration_seconds',
      'bff_keycloak_admin_token_grants_total',
      'bff_logins_total',
      'bff_refreshes_total',
      'bff_single_flight_joins_total',
      'bff_rate_limited_total',
      'bff_sessions_created_total',
      'bff_sessions_active',
      'bff_sessions_ended_total',
      'bff_backchannel_logout_tokens_total',
      'bff_token_exchanges_total',
      'bff_proxy_request_duration_seconds',
      'bff_upstream_errors_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // Loaded at start: the realm's keys, fetched once.
    expect(text).toMatch(/^bff_jwks_keys [1-9]/m);
    expect(text).toMatch(/^bff_jwks_seconds_since_last_success \d/m);
  });

  it('should count a login, a refresh, a token exchange, a failed login, a forged token and an outage, each exactly', async () => {
    let refreshToken = '';
    let accessToken = '';
    expect(
      await movedBy(async () => {
        const res = await login('alice-password');
        expect(res.statusCode).toBe(200);
        ({ refresh_token: refreshToken, access_token: accessToken } = res.json<{
          refresh_token: string;
          access_token: string;
        }>());
      }),
    ).toEqual({
      'bff_logins_total{flow="password",outcome="ok"}': 1,
      'bff_keycloak_requests_total{operation="password_grant",outcome="2xx"}': 1,
      'bff_keycloak_request_duration_seconds_count{operation="password_grant"}': 1,
      'bff_http_request_duration_seconds_count{method="POST",route="/auth/login",status_class="2xx"}': 1,
    });

    expect(
      await movedBy(async () => {
        const res = await sut.inject({
          method: 'POST',
          url: '/auth/refresh',
          payload: { refresh_token: refreshToken },
        });
        expect(res.statusCode).toBe(200);
      }),
    ).toEqual({
      'bff_refreshes_total{flow="password",outcome="ok"}': 1,
      'bff_keycloak_requests_total{operation="refresh",outcome="2xx"}': 1,
      'bff_keycloak_request_duration_seconds_count{operation="refresh"}': 1,
      'bff_http_request_duration_seconds_count{method="POST",route="/auth/refresh",status_class="2xx"}': 1,
    });

    // The same token twice on a guarded route: verified once, then served from the cache.
    expect(
      await movedBy(async () => {
        for (let i = 0; i < 2; i++) {
          const res = await sut.inject({
            method: 'GET',
            url: '/auth/claims',
            headers: { authorization: `Bearer ${accessToken}` },
          });
          expect(res.statusCode).toBe(200);
        }
      }),
    ).toEqual({
      'bff_token_verifications_total{outcome="ok"}': 1,
      'bff_token_cache_lookups_total{result="miss"}': 1,
      'bff_token_cache_lookups_total{result="hit"}': 1,
      'bff_http_request_duration_seconds_count{method="GET",route="/auth/claims",status_class="2xx"}': 2,
    });

    expect(
      await movedBy(async () => {
        const res = await sut.inject({
          method: 'POST',
          url: '/token-exchange',
          headers: { authorization: `Bearer ${accessToken}` },
          payload: { audience: 'orders-api' },
        });
        expect(res.statusCode).toBe(200);
      }),
    ).toEqual({
      'bff_token_exchanges_total{audience="orders-api",outcome="ok"}': 1,
      'bff_keycloak_requests_total{operation="exchange",outcome="2xx"}': 1,
      'bff_keycloak_request_duration_seconds_count{operation="exchange"}': 1,
      'bff_token_cache_lookups_total{result="hit"}': 1,
      'bff_http_request_duration_seconds_count{method="POST",route="/token-exchange",status_class="2xx"}': 1,
    });

    expect(
      await movedBy(async () => {
        const res = await login('wrong-password');
        expect(res.statusCode).toBe(401);
      }),
    ).toEqual({
      'bff_logins_total{flow="password",outcome="INVALID_CREDENTIALS"}': 1,
      'bff_keycloak_requests_total{operation="password_grant",outcome="4xx"}': 1,
      'bff_keycloak_request_duration_seconds_count{operation="password_grant"}': 1,
      'bff_http_request_duration_seconds_count{method="POST",route="/auth/login",status_class="4xx"}': 1,
    });

    expect(
      await movedBy(async () => {
        const res = await sut.inject({
          method: 'GET',
          url: '/auth/claims',
          headers: { authorization: `Bearer ${forged(accessToken)}` },
        });
        expect(res.statusCode).toBe(401);
        expect(res.json<{ code: string }>().code).toBe('TOKEN_SIGNATURE_INVALID');
      }),
    ).toEqual({
      'bff_token_verifications_total{outcome="TOKEN_SIGNATURE_INVALID"}': 1,
      'bff_token_cache_lookups_total{result="miss"}': 1,
      'bff_http_request_duration_seconds_count{method="GET",route="/auth/claims",status_class="4xx"}': 1,
    });

    // A path that matches no route is counted under one fixed label, never its own.
    expect(
      await movedBy(async () => {
        const res = await sut.inject({ method: 'GET', url: '/users-of/alice/secret-token' });
        expect(res.statusCode).toBe(404);
      }),
    ).toEqual({
      'bff_http_request_duration_seconds_count{method="GET",route="unmatched",status_class="4xx"}': 1,
    });

    // Keycloak goes away: nothing listens where the BFF reaches it.
    await proxy.close();
    expect(
      await movedBy(async () => {
        const res = await login('alice-password');
        expect(res.statusCode).toBe(503);
        expect(res.json<{ code: string }>().code).toBe('IDP_UNAVAILABLE');
      }),
    ).toEqual({
      'bff_logins_total{flow="password",outcome="IDP_UNAVAILABLE"}': 1,
      'bff_keycloak_requests_total{operation="password_grant",outcome="unreachable"}': 1,
      'bff_keycloak_request_duration_seconds_count{operation="password_grant"}': 1,
      'bff_http_request_duration_seconds_count{method="POST",route="/auth/login",status_class="5xx"}': 1,
    });

    const text = await scrape();
    // Every request above has finished: nothing is left in flight.
    expect(text).toMatch(/^bff_http_requests_in_flight 0$/m);
    expect(text).not.toContain('alice');
    expect(text).not.toContain(accessToken.slice(0, 20));
    expect(() => execFileSync('promtool', ['check', 'metrics'], { input: text })).not.toThrow();
  });
});

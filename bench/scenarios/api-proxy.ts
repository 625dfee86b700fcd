import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/keycloak/distribution';
import { browserlessLogin, CookieJar } from '../../test/utils/browserless';
import { startHangingProxy } from '../../test/utils/hanging-proxy';
import { type BffProcess, startBff } from '../bff-process';
import { load, median } from '../measure';
import { type BenchRun, type BenchScenario, type ScenarioOutcome, target } from './scenario';

const ORDERS_API = join(__dirname, '..', '..', 'examples', 'orders-api', 'main.ts');

/** examples/orders-api as its own process; resolves once it answers. */
async function startOrdersApi(keycloakUrl: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', ORDERS_API], {
    env: {
      PATH: process.env.PATH ?? '',
      KEYCLOAK_URL: keycloakUrl,
      KEYCLOAK_REALM: 'demo',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`orders-api exited with ${child.exitCode}`);
    }
    if (
      await fetch(`${url}/public/info`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return { url, stop: () => void child.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * 8. The API proxy: `GET /api/orders` through a cookie-session BFF (exchanged token cached) ÷
 * the same call straight to orders-api with a ready token, in interleaved rounds (p50 latency
 * and throughput); and the exchange grants Keycloak saw while one session made 10,000 calls.
 */
export class ApiProxyScenario implements BenchScenario {
  async run(bench: BenchRun): Promise<ScenarioOutcome> {
    const { keycloak, rounds, seconds, user } = bench;
    bench.log('8. API proxy: GET /api/orders through the BFF vs straight to orders-api');
    const counting = await startHangingProxy(keycloak.url);
    const api = await startOrdersApi(keycloak.url);
    const routesFile = join(mkdtempSync(join(tmpdir(), 'bench-routes-')), 'api-routes.json');
    writeFileSync(
      routesFile,
      JSON.stringify([
        { prefix: '/api/orders', target: api.url, token: 'exchange', audience: 'orders-api' },
      ]),
    );
    let bff: BffProcess | undefined;
    try {
      const session = await startBff((port) => ({
        KEYCLOAK_REALM: 'demo',
        KEYCLOAK_CLIENT_ID: 'bff-session',
        KEYCLOAK_CLIENT_SECRET: 'bff-session-secret',
        KEYCLOAK_URL: counting.url,
        KEYCLOAK_PUBLIC_URL: keycloak.url,
        SESSION_ENABLED: 'true',
        SESSION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        SESSION_REDIRECT_URI: `http://127.0.0.1:${port}/auth/callback`,
        API_ROUTES_FILE: routesFile,
        TOKEN_EXCHANGE_AUDIENCES: 'orders-api',
      }));
      bff = session;
      const jar = new CookieJar();
      const login = await browserlessLogin(jar, session.url);
      if (login.status !== 302) {
        throw new Error(`the session login answered ${login.status}`);
      }
      const viaUrl = `${session.url}/api/orders/orders?limit=1`;
      const cookie = jar.header(viaUrl);
      const ready = await bench.grant({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        client_id: 'bff',
        client_secret: 'bff-secret',
        subject_token: user.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'orders-api',
      });
      const first = await fetch(viaUrl, { headers: { cookie } });
      const { seen } = (await first.json()) as { seen: { iat: number; exp: number } };
      const lifetimeSec = seen.exp - seen.iat;

      const via = () =>
        load({
          url: viaUrl,
          headers: { cookie },
          duration: seconds,
          connections: 10,
          pid: session.pid,
        });
      const direct = () =>
        load({
          url: `${api.url}/orders?limit=1`,
          headers: { authorization: `Bearer ${ready.access_token}` },
          duration: seconds,
          connections: 10,
        });
      const latency: number[] = [];
      const throughput: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const a = round % 2 ? await direct() : await via();
        const b = round % 2 ? await via() : await direct();
        const [proxied, straight] = round % 2 ? [b, a] : [a, b];
        if (proxied.non2xx || straight.non2xx || proxied.errors || straight.errors) {
          throw new Error(
            `non-2xx or errors: proxied ${proxied.non2xx}/${proxied.errors}, direct ${straight.non2xx}/${straight.errors}`,
          );
        }
        latency.push(proxied.p50Ms / Math.max(straight.p50Ms, 0.001));
        throughput.push(proxied.rps / straight.rps);
      }

      // One session's 10,000 calls, counted at Keycloak's token endpoint.
      const grantsBefore = counting.grants('token-exchange');
      const started = Date.now();
      const counted = await load({
        url: viaUrl,
        headers: { cookie },
        amount: 10_000,
        connections: 10,
      });
      const elapsedSec = (Date.now() - started) / 1000;
      const grants = counting.grants('token-exchange') - grantsBefore;
      const lifetimes = Math.max(1, Math.ceil(elapsedSec / lifetimeSec));
      const p50Ratio = median(latency);
      const rpsRatio = median(throughput);
      return {
        results: {
          apiProxy: {
            p50Ratio,
            throughputRatio: rpsRatio,
            rounds: { latency, throughput },
            exchange: { grants, requests: counted.requests, elapsedSec, lifetimeSec },
          },
        },
        targets: [
          target(
            '8 API proxy',
            'p50 latency via BFF ÷ direct',
            p50Ratio,
            '≤ 1.15',
            p50Ratio <= 1.15,
          ),
          target('8 API proxy', 'throughput via BFF ÷ direct', rpsRatio, '≥ 0.80', rpsRatio >= 0.8),
          target(
            '8 API proxy',
            `exchange grants per ${lifetimeSec} s token life (10,000 calls, ${elapsedSec.toFixed(1)} s)`,
            grants / lifetimes,
            '≤ 1',
            grants / lifetimes <= 1,
          ),
        ],
      };
    } finally {
      await bff?.stop();
      api.stop();
      await counting.close();
    }
  }
}

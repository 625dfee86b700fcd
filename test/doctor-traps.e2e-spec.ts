import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DoctorRun, runDoctor } from './utils/doctor';
import { Kcadm } from './utils/kcadm';
import { adminFetch, kc, passwordGrant } from './utils/keycloak';
import { createDemoRealmCopy, deleteRealm } from './utils/realm-copy';
import { createTestApp } from './utils/test-app';

const REALM = `demo-broken-${randomBytes(4).toString('hex')}`;
const REDIS_URL = process.env.SESSION_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The traps the copy gets, by the row that must name each, with its status and run-time code. */
const TRAPS: Record<string, [status: 'FAIL' | 'WARN', code: string | undefined]> = {
  issuer: ['FAIL', 'TOKEN_ISSUER_MISMATCH'], // front-end URL changed
  'token lifetimes': ['FAIL', undefined], // access token outliving SSO idle
  'refresh token rotation': ['WARN', 'SESSION_EXPIRED'], // rotation with max reuse 0
  'lightweight access tokens': ['FAIL', 'TOKEN_AUDIENCE_MISMATCH'],
  'sid and sub claims': ['FAIL', 'ACCESS_TOKEN_SUB_MISSING'], // basic scope taken off the client
  'session redirect URI': ['FAIL', 'REDIRECT_URI_NOT_REGISTERED'],
  'back-channel logout': ['FAIL', undefined], // its URL removed
  'proxy routes': ['FAIL', 'AUDIENCE_NOT_AVAILABLE'], // orders-api no longer available to alice
};

async function admin(path: string, method: string, body?: unknown): Promise<unknown> {
  const res = await adminFetch(`/realms/${REALM}${path}`, { method, body });
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  }
  return res.status === 204 ? undefined : res.json();
}

const idOf = async (path: string, name: string, key = 'clientId'): Promise<string> => {
  const found = (await admin(path, 'GET')) as Record<string, string>[];
  const item = found.find((x) => x[key] === name);
  if (!item?.id) {
    throw new Error(`no ${name} in ${path}`);
  }
  return item.id;
};

/** Each trap of TRAPS, set through the Admin API as an operator would click it. */
async function breakRealm(frontendUrl: string): Promise<void> {
  await admin('', 'PUT', {
    accessTokenLifespan: 2400, // SSO Session Idle is 1800
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
    attributes: { frontendUrl },
  });
  const bff = await idOf('/clients?clientId=bff', 'bff');
  await admin(`/clients/${bff}`, 'PUT', {
    redirectUris: ['http://localhost:3000/*'],
    attributes: {
      'client.use.lightweight.access.token.enabled': 'true',
      'backchannel.logout.url': '',
    },
  });
  const basic = await idOf('/client-scopes', 'basic', 'name');
  await admin(`/clients/${bff}/default-client-scopes/${basic}`, 'DELETE');
  const alice = await idOf('/users?username=alice&exact=true', 'alice', 'username');
  const ordersApi = await idOf('/clients?clientId=orders-api', 'orders-api');
  const mappings = `/users/${alice}/role-mappings/clients/${ordersApi}`;
  await admin(mappings, 'DELETE', await admin(mappings, 'GET'));
}

const problems = (run: DoctorRun) =>
  Object.fromEntries(
    run.checks
      .filter((c) => c.status === 'WARN' || c.status === 'FAIL')
      .map((c) => [c.name, [c.status, c.code]]),
  );

describe('doctor against a broken copy of the demo realm (real Keycloak, kcadm.sh)', () => {
  let dir: string;
  let api: Server | undefined;
  let kcadm: Promise<Kcadm>;
  let env: Record<string, string>;
  let broken: DoctorRun;

  beforeAll(async () => {
    // kcadm.sh starts a JVM: log it in while the rest is set up.
    kcadm = Kcadm.login(
      kc.url(),
      process.env.KEYCLOAK_ADMIN_USERNAME ?? 'admin',
      process.env.KEYCLOAK_ADMIN_PASSWORD ?? 'admin',
    );
    kcadm.catch(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'doctor-traps-'));
    await createDemoRealmCopy(REALM);
    // Doctor only asks whether a target answers: an API that refuses everything will do, in
    // place of orders-api (its own e2e shows it behind exchanged tokens), and starts at once.
    const server = createServer((_req, res) => res.writeHead(401).end());
    api = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The stack's routes file, with the API where this test listens.
    const routes = readFileSync(join(__dirname, '..', 'api-routes.example.json'), 'utf8');
    writeFileSync(join(dir, 'api-routes.json'), routes.replaceAll('http://127.0.0.1:4000', target));
    env = {
      KEYCLOAK_REALM: REALM,
      DOCTOR_USERNAME: 'alice',
      DOCTOR_PASSWORD: 'alice-password',
      SESSION_ENABLED: 'true',
      SESSION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SESSION_REDIRECT_URI: 'http://127.0.0.1:3000/auth/callback',
      SESSION_POST_LOGOUT_REDIRECT_URI: 'http://127.0.0.1:3000/',
      API_ROUTES_FILE: join(dir, 'api-routes.json'),
      REDIS_URL,
      SESSION_REDIS_PREFIX: `doctor-traps:${REALM}:`,
    };
  });

  afterAll(async () => {
    await deleteRealm(REALM);
    await new Promise((resolve) => api?.close(resolve));
    (await kcadm.catch(() => undefined))?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should pass every check, session, proxy and Redis included, before anything is broken', async () => {
    const run = await runDoctor(env);
    expect(run.checks.filter((c) => c.status !== 'PASS')).toEqual([]);
    expect(run.checks).toHaveLength(21);
    expect(run.code).toBe(0);
  });

  it('should name exactly the broken settings, each with its kcadm.sh command and run-time code', async () => {
    const publicUrl = new URL(kc.url());
    publicUrl.hostname = publicUrl.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    await breakRealm(publicUrl.origin);
    broken = await runDoctor(env);
    expect(problems(broken)).toEqual(TRAPS);
    for (const row of broken.checks.filter((c) => c.name in TRAPS)) {
      expect(row.kcadm?.length).toBeGreaterThan(0);
      for (const command of row.kcadm ?? []) {
        expect(command).toMatch(
          new RegExp(
            `^kcadm\\.sh (update|create) \\S*${REALM}|^kcadm\\.sh (update|create) .* -r ${REALM}( |$)`,
          ),
        );
      }
    }
    expect(broken.kcadmLogin).toBe(
      `kcadm.sh config credentials --server ${kc.url()} --realm master --user <admin>`,
    );
    expect(broken.code).toBe(1);
  });

  it('should answer requests those settings break with the codes, and hints naming the rows, doctor reported', async () => {
    const codeOf = (name: string) => broken.checks.find((c) => c.name === name)?.code;
    const { DOCTOR_USERNAME: _u, DOCTOR_PASSWORD: _p, REDIS_URL: _r, ...service } = env;
    const app = await createTestApp({ ...service, KEYCLOAK_URL: kc.url(), REDIS_URL: undefined });
    try {
      const login = await app.inject({ method: 'GET', url: '/auth/login' });
      expect(login.statusCode).toBe(502);
      expect(login.json()).toMatchObject({
        code: codeOf('session redirect URI'),
        hint: expect.stringContaining("(check 'session redirect URI')"),
      });
      const { access_token } = await passwordGrant('alice', 'alice-password', 'openid', {
        realm: REALM,
      });
      const me = await app.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(me.statusCode).toBe(401);
      expect(me.json()).toMatchObject({
        code: codeOf('issuer'),
        hint: expect.stringContaining("(check 'issuer')"),
      });
    } finally {
      await app.close();
    }
  });

  it('should turn each of those checks green once its printed command has run', async () => {
    const commands = broken.checks.flatMap((c) => c.kcadm ?? []);
    expect(commands).toHaveLength(Object.keys(TRAPS).length);
    const cli = await kcadm;
    // kcadm.sh update reads, merges and writes the whole resource: commands on one resource must
    // not overlap. The realm's and the client's run side by side, each in order.
    const onRealm = commands.filter((c) => c.startsWith(`kcadm.sh update realms/${REALM} `));
    const onClient = commands.filter((c) => !onRealm.includes(c));
    const inOrder = async (lines: string[]) => {
      for (const line of lines) {
        await cli.run(line);
      }
    };
    await Promise.all([inOrder(onRealm), inOrder(onClient)]);
    const fixed = await runDoctor(env);
    expect(fixed.checks.filter((c) => c.status !== 'PASS')).toEqual([]);
    expect(fixed.code).toBe(0);
  });
});

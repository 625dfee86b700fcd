import { randomUUID } from 'node:crypto';
import { createValidatedTestApp, type TestApp } from './utils/test-app';
import { adminFetch, kc, passwordGrant, userId } from './utils/keycloak';
import { startProxy } from '../scripts/support/keycloak-proxy';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Page {
  items: {
    id: string;
    username: string;
    firstName?: string;
    lastName?: string;
    enabled: boolean;
  }[];
  total: number;
  first: number;
  max: number;
}

/** Removes (or restores) realm-management's view-users from the BFF's service account. */
async function setViewUsers(present: boolean): Promise<void> {
  const clients = async (clientId: string) =>
    (
      (await (await adminFetch(`/realms/demo/clients?clientId=${clientId}`)).json()) as {
        id: string;
      }[]
    )[0]?.id;
  const bff = await clients('bff');
  const realmManagement = await clients('realm-management');
  const account = (await (
    await adminFetch(`/realms/demo/clients/${bff}/service-account-user`)
  ).json()) as { id: string };
  const role = await (
    await adminFetch(`/realms/demo/clients/${realmManagement}/roles/view-users`)
  ).json();
  const res = await adminFetch(
    `/realms/demo/users/${account.id}/role-mappings/clients/${realmManagement}`,
    {
      method: present ? 'POST' : 'DELETE',
      body: [role],
    },
  );
  expect(res.status).toBe(204);
}

describe('Admin users (real Keycloak)', () => {
  let sut: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    sut = await createValidatedTestApp();
    alice = (await passwordGrant('alice', 'alice-password')).access_token;
    bob = (await passwordGrant('bob', 'bob-password')).access_token;
  });

  afterAll(async () => {
    await sut.close();
  });

  const get = (url: string, token = alice) =>
    sut.inject({ method: 'GET', url, headers: bearer(token) });

  it('should list users with the total from Keycloak', async () => {
    const res = await get('/users');
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(page.total).toBeGreaterThanOrEqual(4);
    expect(page).toMatchObject({ first: 0, max: 20 });
    expect(page.items.map((u) => u.username)).toEqual(
      expect.arrayContaining(['alice', 'bob', 'wang', 'carol']),
    );
    expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
      [
        'createdTimestamp',
        'email',
        'emailVerified',
        'enabled',
        'firstName',
        'id',
        'lastName',
        'username',
      ].sort(),
    );
  });

  it('should page with first and max', async () => {
    const all = (await get('/users?max=100')).json<Page>();
    const one = (await get('/users?first=1&max=2')).json<Page>();
    expect(one).toMatchObject({ first: 1, max: 2, total: all.total });
    expect(one.items.map((u) => u.id)).toEqual(all.items.slice(1, 3).map((u) => u.id));
  });

  it('should find wang with search=wa, and count with the same filter', async () => {
    const page = (await get('/users?search=wa')).json<Page>();
    expect(page.items.map((u) => u.username)).toContain('wang');
    expect(page.total).toBe(page.items.length);
  });

  it('should filter by enabled', async () => {
    const page = (await get('/users?enabled=false')).json<Page>();
    expect(page.items.map((u) => u.username)).toEqual(['carol']);
    expect(page.total).toBe(1);
  });

  it.each([
    ['/users?max=101', 'max'],
    ['/users?max=0', 'max'],
    ['/users?first=-1', 'first'],
    ['/users?first=abc', 'first'],
    ['/users?enabled=yes', 'enabled'],
    ['/users?unknown=1', 'unknown'],
  ])('should answer 400 VALIDATION_FAILED for %s', async (url, field) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; errors: { field: string }[] }>();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e) => e.field)).toContain(field);
  });

  it("should get bob by id, with the full representation's fields", async () => {
    const id = await userId('bob');
    const res = await get(`/users/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      username: 'bob',
      firstName: 'Bob',
      lastName: 'Builder',
      enabled: true,
      requiredActions: [],
      totp: false,
      notBefore: 0,
    });
  });

  it("should give wang's full name family name first", async () => {
    const id = await userId('wang');
    const res = await get(`/users/${id}/full-name`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, fullName: '王 小明' });
  });

  it('should refuse bob (no admin role) with FORBIDDEN_ROLE', async () => {
    const res = await get('/users', bob);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN_ROLE', requiredRoles: ['admin'] });
  });

  it('should refuse a request without a token with 401', async () => {
    const res = await sut.inject({ method: 'GET', url: '/users' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'TOKEN_MISSING' });
  });

  it('should refuse a malformed id without asking Keycloak', async () => {
    const res = await get('/users/not-a-uuid');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'id', message: 'id must be a UUID' }],
    });
  });

  it('should answer 404 USER_NOT_FOUND for an unknown id', async () => {
    const id = randomUUID();
    for (const url of [`/users/${id}`, `/users/${id}/full-name`]) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'USER_NOT_FOUND', detail: `No user with id ${id}` });
    }
  });

  it('should answer 502 ADMIN_PERMISSION_MISSING when the service account lacks view-users', async () => {
    const bobId = await userId('bob');
    await setViewUsers(false);
    const app = await createValidatedTestApp();
    try {
      const res = await app.inject({
        method: 'GET',
        url: `/users/${bobId}`,
        headers: bearer(alice),
      });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({
        code: 'ADMIN_PERMISSION_MISSING',
        hint: expect.stringContaining('view-users and query-users to service-account-bff'),
        upstream: { status: 403 },
      });
    } finally {
      await app.close();
      await setViewUsers(true);
    }
    expect((await get(`/users/${bobId}`)).statusCode).toBe(200);
  });

  it('should reuse one admin token: 25 lookups, 1 client-credentials grant', async () => {
    const proxy = await startProxy(kc.url());
    const app = await createValidatedTestApp({
      KEYCLOAK_URL: proxy.url,
      KEYCLOAK_PUBLIC_URL: kc.url(),
    });
    try {
      const id = await userId('bob');
      const tokenPosts = () =>
        proxy.seen.filter(
          (r) => r.method === 'POST' && r.path === '/realms/demo/protocol/openid-connect/token',
        );
      expect(tokenPosts()).toHaveLength(0);
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          app.inject({
            method: 'GET',
            url: i % 2 ? `/users/${id}` : `/users/${id}/full-name`,
            headers: bearer(alice),
          }),
        ),
      );
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      expect(proxy.seen.filter((r) => r.path.startsWith('/admin/realms/demo/users/'))).toHaveLength(
        25,
      );
      expect(tokenPosts()).toHaveLength(1);
    } finally {
      await app.close();
      await proxy.close();
    }
  });
});

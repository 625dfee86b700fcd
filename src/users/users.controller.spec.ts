import { automock } from '../../test/utils/automock';
import { type ControllerApp, createControllerApp } from '../../test/utils/controller-app';
import { KeycloakError } from '../keycloak/keycloak.errors';
import { ListUsersQuery } from './dto/list-users.query';
import { AdminRoleGuard } from './guards/admin-role.guard';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

const ID = '6f1c1a52-3c0e-4a57-9d55-1d3b0b7c2f10';
const ALICE = { id: ID, username: 'alice', enabled: true };

describe(UsersController.name, () => {
  let app: ControllerApp;
  let service: ReturnType<typeof automock<UsersService>>;
  let admin: string;

  beforeEach(async () => {
    service = automock(UsersService);
    app = await createControllerApp(
      {
        controllers: [UsersController],
        providers: [{ provide: UsersService, useValue: service }, AdminRoleGuard],
      },
      { ADMIN_ROLE: 'user-admin' },
    );
    admin = app.bearer({ roles: ['user-admin'] });
  });
  afterEach(async () => {
    await app.close();
  });

  const get = (url: string, authorization = admin) =>
    app.inject({ method: 'GET', url, headers: { authorization } });

  it('should answer 401 TOKEN_MISSING without a token, asking no service', async () => {
    const res = await app.inject({ method: 'GET', url: '/users' });

    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'TOKEN_MISSING' });
  });

  it('should answer 403 FORBIDDEN_ROLE naming ADMIN_ROLE to a caller without it', async () => {
    const res = await get(`/users/${ID}`, app.bearer({ roles: ['admin', 'user'] }));

    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({
      code: 'FORBIDDEN_ROLE',
      detail: 'This endpoint requires one of the roles: user-admin',
    });
  });

  it('should list a page, the query validated and converted before the service sees it', async () => {
    service.list.mockResolvedValue({ items: [ALICE], total: 1, first: 20, max: 10 });

    const res = await get('/users?first=20&max=10&search=ali&exact=true');

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [ALICE], total: 1, first: 20, max: 10 });
    const [query] = service.list.mock.calls[0] ?? [];
    expect(query).toBeInstanceOf(ListUsersQuery);
    expect(query).toEqual({ first: 20, max: 10, search: 'ali', exact: true });
  });

  it.each([
    ['max above the page limit', 'max=101', 'max'],
    ['a negative first', 'first=-1', 'first'],
    ['exact that is no boolean', 'exact=maybe', 'exact'],
    ['an unknown parameter', 'role=admin', 'role'],
  ])('should refuse %s with 400 VALIDATION_FAILED', async (_, query, field) => {
    const res = await get(`/users?${query}`);

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: expect.arrayContaining([expect.objectContaining({ field })]) as unknown[],
    });
    expect(service.list).not.toHaveBeenCalled();
  });

  it('should answer one user and their full name by id', async () => {
    service.get.mockResolvedValue(ALICE);
    service.fullName.mockResolvedValue({ id: ID, fullName: 'Liddell Alice' });

    expect((await get(`/users/${ID}`)).json()).toEqual(ALICE);
    expect((await get(`/users/${ID}/full-name`)).json()).toEqual({
      id: ID,
      fullName: 'Liddell Alice',
    });
    expect(service.get).toHaveBeenCalledWith(ID);
    expect(service.fullName).toHaveBeenCalledWith(ID);
  });

  it('should refuse an id that is not a UUID with 400 naming id, before Keycloak is asked', async () => {
    for (const url of ['/users/not-a-uuid', '/users/..%2F..%2Fclients/full-name']) {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'id', message: 'id must be a UUID' }],
      });
    }
    expect(service.get).not.toHaveBeenCalled();
    expect(service.fullName).not.toHaveBeenCalled();
  });

  it('should answer 404 USER_NOT_FOUND as problem+json', async () => {
    service.get.mockRejectedValue(new KeycloakError('USER_NOT_FOUND', `No user ${ID}`));

    const res = await get(`/users/${ID}`);

    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'USER_NOT_FOUND', instance: `/users/${ID}` });
  });
});

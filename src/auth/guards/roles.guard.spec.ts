import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ForbiddenRoleError } from '../auth.errors';
import type { AuthenticatedUser } from '../authenticated-user';
import { ROLES_KEY } from '../decorators/roles.decorator';
import { RolesGuard } from './roles.guard';

function context(roles: string[] | undefined, user?: Partial<AuthenticatedUser>): ExecutionContext {
  const handler = () => undefined;
  if (roles) {
    Reflect.defineMetadata(ROLES_KEY, roles, handler);
  }
  return new ExecutionContextHost([{ user }], class {}, handler);
}

describe(RolesGuard.name, () => {
  const sut = new RolesGuard(new Reflector());

  it('should allow routes without @Roles', () => {
    expect(sut.canActivate(context(undefined, { roles: [] }))).toBe(true);
  });

  it('should allow a caller with one of the roles', () => {
    expect(sut.canActivate(context(['admin', 'auditor'], { roles: ['user', 'auditor'] }))).toBe(
      true,
    );
  });

  it('should match client roles as client:role', () => {
    expect(
      sut.canActivate(context(['orders-api:orders:read'], { roles: ['orders-api:orders:read'] })),
    ).toBe(true);
    expect(() =>
      sut.canActivate(context(['orders-api:orders:read'], { roles: ['orders:read'] })),
    ).toThrow(ForbiddenRoleError);
  });

  it('should refuse with FORBIDDEN_ROLE naming the roles required', () => {
    expect.assertions(3);
    const refuse = () => sut.canActivate(context(['admin'], { roles: ['user'] }));
    expect(refuse).toThrow(ForbiddenRoleError);
    expect(refuse).toThrow('This endpoint requires one of the roles: admin');
    try {
      refuse();
    } catch (err: unknown) {
      expect(err).toMatchObject({ status: 403, code: 'FORBIDDEN_ROLE' });
    }
  });

  it('should refuse when no user is attached', () => {
    expect(() => sut.canActivate(context(['admin']))).toThrow(ForbiddenRoleError);
  });
});

import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ValidationFailedError } from '../common/errors/http-errors';
import { adminConfig } from '../config/admin.config';
import { KeycloakAdminClient, type KeycloakUser } from '../keycloak/keycloak-admin.client';
import type { ListUsersQuery } from './dto/list-users.query';
import type { FullNameDto, UserDto, UserPageDto, UserSummaryDto } from './dto/user.dto';
import { fullName } from './full-name';

function summary(user: KeycloakUser): UserSummaryDto {
  const { id, username, email, firstName, lastName, enabled, emailVerified, createdTimestamp } =
    user;
  return { id, username, email, firstName, lastName, enabled, emailVerified, createdTimestamp };
}

@Injectable()
export class UsersService {
  constructor(
    private readonly keycloak: KeycloakAdminClient,
    @Inject(adminConfig.KEY) private readonly admin: ConfigType<typeof adminConfig>,
  ) {}

  async list(query: ListUsersQuery): Promise<UserPageDto> {
    if (query.max > this.admin.maxPageSize) {
      throw new ValidationFailedError([
        { field: 'max', message: `max must not be greater than ${this.admin.maxPageSize}` },
      ]);
    }
    const { first, max, ...filters } = query;
    const [users, total] = await Promise.all([
      this.keycloak.listUsers({ ...filters, first, max }),
      this.keycloak.countUsers(filters),
    ]);
    return { items: users.map(summary), total, first, max };
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.keycloak.getUser(id);
    const { attributes, requiredActions, totp, notBefore } = user;
    return { ...summary(user), attributes, requiredActions, totp, notBefore };
  }

  async fullName(id: string): Promise<FullNameDto> {
    const user = await this.keycloak.getUser(id);
    return { id: user.id, fullName: fullName(user) };
  }
}

import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { AxiosResponse } from 'axios';
import { keycloakConfig } from '../config/keycloak.config';
import { KeycloakAdminTokenProvider } from './keycloak-admin-token.provider';
import { type AnswerShape, USER_COUNT, USER_LIST, USER_REPRESENTATION } from './keycloak-answers';
import { callKeycloak } from './keycloak-http';
import { KeycloakError, KeycloakResponseError, keptFrom } from './keycloak.errors';

/** Keycloak's UserRepresentation, the fields the BFF passes on. */
export interface KeycloakUser {
  id: string;
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
  emailVerified?: boolean;
  createdTimestamp?: number;
  attributes?: Record<string, string[]>;
  requiredActions?: string[];
  totp?: boolean;
  notBefore?: number;
}

export interface UserQuery {
  search?: string;
  username?: string;
  email?: string;
  exact?: boolean;
  enabled?: boolean;
}

export class AdminPermissionMissingError extends KeycloakError {
  constructor(clientId: string, cause: KeycloakResponseError) {
    super('ADMIN_PERMISSION_MISSING', "Keycloak's Admin API answered 403 to the BFF", {
      hint: `Grant the realm-management client roles view-users and query-users to service-account-${clientId} (Clients → ${clientId} → Service accounts roles).`,
      ...keptFrom(cause),
    });
  }
}

export class UserNotFoundError extends KeycloakError {
  constructor(id: string, cause?: unknown) {
    super('USER_NOT_FOUND', `No user with id ${id}`, { cause });
  }
}

/**
 * Keycloak's Admin REST API (users). A 401 means our cached token went stale: it is dropped and
 * the call retried exactly once with a fresh one.
 */
@Injectable()
export class KeycloakAdminClient {
  constructor(
    private readonly http: HttpService,
    private readonly tokens: KeycloakAdminTokenProvider,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
  ) {}

  listUsers(query: UserQuery & { first: number; max: number }): Promise<KeycloakUser[]> {
    return this.call('user list', USER_LIST, (headers) =>
      this.http.axiosRef.get(this.url('/users'), {
        headers,
        params: { ...query, briefRepresentation: false },
      }),
    );
  }

  countUsers(query: UserQuery): Promise<number> {
    return this.call('user count', USER_COUNT, (headers) =>
      this.http.axiosRef.get(this.url('/users/count'), { headers, params: query }),
    );
  }

  async getUser(id: string): Promise<KeycloakUser> {
    try {
      return await this.call('user lookup', USER_REPRESENTATION, (headers) =>
        this.http.axiosRef.get(this.url(`/users/${encodeURIComponent(id)}`), { headers }),
      );
    } catch (err: unknown) {
      if (err instanceof KeycloakResponseError && err.upstream?.status === 404) {
        throw new UserNotFoundError(id, err);
      }
      throw err;
    }
  }

  private url(path: string): string {
    return `${this.config.url}/admin/realms/${encodeURIComponent(this.config.realm)}${path}`;
  }

  private async call<T>(
    operation: string,
    answer: AnswerShape<T>,
    request: (headers: Record<string, string>) => Promise<AxiosResponse<unknown>>,
  ): Promise<T> {
    const attempt = (token: string): Promise<T> =>
      callKeycloak({ endpoint: 'admin', operation, answer }, () =>
        request({ Authorization: `Bearer ${token}` }),
      );
    const token = await this.tokens.getToken();
    try {
      return await attempt(token);
    } catch (err: unknown) {
      if (!(err instanceof KeycloakResponseError && err.upstream?.status === 401)) {
        throw this.narrow(err);
      }
    }
    this.tokens.invalidate(token);
    try {
      return await attempt(await this.tokens.getToken());
    } catch (err: unknown) {
      throw this.narrow(err);
    }
  }

  private narrow(err: unknown): unknown {
    if (err instanceof KeycloakResponseError && err.upstream?.status === 403) {
      return new AdminPermissionMissingError(this.config.clientId, err);
    }
    return err;
  }
}

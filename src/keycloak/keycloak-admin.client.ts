import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { AxiosResponse } from 'axios';
import { keycloakConfig } from '../config/keycloak.config';
import { MetricsService } from '../common/metrics/metrics.service';
import { KeycloakAdminTokenProvider } from './keycloak-admin-token.provider';
import {
  type AnswerShape,
  CLIENT_LIST,
  CLIENT_SCOPE_LIST,
  REALM_REPRESENTATION,
  USER_COUNT,
  USER_LIST,
  USER_REPRESENTATION,
} from './keycloak-answers';
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

/** The realm-management roles the users endpoints need. */
const USER_ROLES = ['view-users', 'query-users'];

export class AdminPermissionMissingError extends KeycloakError {
  constructor(
    clientId: string,
    cause?: KeycloakResponseError,
    readonly roles: readonly string[] = USER_ROLES,
  ) {
    super(
      'ADMIN_PERMISSION_MISSING',
      cause
        ? "Keycloak's Admin API answered 403 to the BFF"
        : `Keycloak's Admin API withheld what needs ${roles.join(' and ')}`,
      {
        hint: `Grant the realm-management client roles ${roles.join(' and ')} to service-account-${clientId} (Clients → ${clientId} → Service accounts roles).`,
        ...(cause ? keptFrom(cause) : {}),
      },
    );
  }
}

/** What reading the realm's settings needs (doctor). */
const REALM_ROLES = ['view-realm'];
/** What reading clients and client scopes needs (doctor). */
const CLIENT_ROLES = ['view-clients'];

/**
 * A realm's settings (RealmRepresentation): the token and session lifetimes and the attributes
 * (`frontendUrl`) doctor compares with the BFF's configuration.
 */
export interface KeycloakRealmSettings {
  realm: string;
  accessTokenLifespan: number;
  ssoSessionIdleTimeout: number;
  ssoSessionMaxLifespan: number;
  revokeRefreshToken: boolean;
  refreshTokenMaxReuse: number;
  attributes: Record<string, string>;
}

/** A client's settings (ClientRepresentation) without its secret. */
export interface KeycloakClientSettings {
  /** The client's UUID, which the Admin API and kcadm.sh address it by. */
  id: string;
  clientId: string;
  standardFlowEnabled: boolean;
  frontchannelLogout: boolean;
  redirectUris: string[];
  /** `pkce.code.challenge.method`, `backchannel.logout.url`, `access.token.lifespan`, … */
  attributes: Record<string, string>;
  defaultClientScopes: string[];
  optionalClientScopes: string[];
}

export interface KeycloakClientScope {
  id: string;
  name: string;
}

export class UserNotFoundError extends KeycloakError {
  constructor(id: string, cause?: unknown) {
    super('USER_NOT_FOUND', `No user with id ${id}`, { cause });
  }
}

/**
 * Keycloak's Admin REST API: users, and the realm and client settings doctor reads. A 401 means
 * our cached token went stale: it is dropped and the call retried exactly once with a fresh one.
 */
@Injectable()
export class KeycloakAdminClient {
  constructor(
    private readonly http: HttpService,
    private readonly tokens: KeycloakAdminTokenProvider,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
    @Optional() private readonly metrics?: MetricsService,
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

  /**
   * The realm's settings; needs realm-management view-realm. Without it Keycloak answers 200
   * with the realm's public fields only, so that answer counts as a refusal.
   */
  async getRealmSettings(): Promise<KeycloakRealmSettings> {
    const rep = (await this.call(
      'realm settings',
      REALM_REPRESENTATION,
      (headers) => this.http.axiosRef.get<unknown>(this.url(''), { headers }),
      REALM_ROLES,
    )) as Partial<KeycloakRealmSettings>;
    if (typeof rep.accessTokenLifespan !== 'number') {
      throw new AdminPermissionMissingError(this.config.clientId, undefined, REALM_ROLES);
    }
    return {
      realm: rep.realm ?? this.config.realm,
      accessTokenLifespan: rep.accessTokenLifespan,
      ssoSessionIdleTimeout: rep.ssoSessionIdleTimeout ?? 0,
      ssoSessionMaxLifespan: rep.ssoSessionMaxLifespan ?? 0,
      revokeRefreshToken: rep.revokeRefreshToken ?? false,
      refreshTokenMaxReuse: rep.refreshTokenMaxReuse ?? 0,
      attributes: rep.attributes ?? {},
    };
  }

  /**
   * A client by its client id, or undefined when Keycloak lists none: also what a token without
   * realm-management view-clients gets (an empty list, not a 403). Never carries the secret.
   */
  async findClient(clientId: string): Promise<KeycloakClientSettings | undefined> {
    const found = (await this.call(
      'client lookup',
      CLIENT_LIST,
      (headers) =>
        this.http.axiosRef.get<unknown>(this.url('/clients'), {
          headers,
          params: { clientId, search: false },
        }),
      CLIENT_ROLES,
    )) as Partial<KeycloakClientSettings>[];
    const rep = found.find((c) => c.clientId === clientId);
    return rep?.id === undefined
      ? undefined
      : {
          id: rep.id,
          clientId,
          standardFlowEnabled: rep.standardFlowEnabled ?? false,
          frontchannelLogout: rep.frontchannelLogout ?? false,
          redirectUris: rep.redirectUris ?? [],
          attributes: rep.attributes ?? {},
          defaultClientScopes: rep.defaultClientScopes ?? [],
          optionalClientScopes: rep.optionalClientScopes ?? [],
        };
  }

  /** The realm's client scopes (realm-management view-clients). */
  async listClientScopes(): Promise<KeycloakClientScope[]> {
    const scopes = await this.call(
      'client scopes',
      CLIENT_SCOPE_LIST,
      (headers) => this.http.axiosRef.get<unknown>(this.url('/client-scopes'), { headers }),
      CLIENT_ROLES,
    );
    return scopes.map(({ id, name }) => ({ id, name }));
  }

  private url(path: string): string {
    return `${this.config.url}/admin/realms/${encodeURIComponent(this.config.realm)}${path}`;
  }

  private async call<T>(
    operation: string,
    answer: AnswerShape<T>,
    request: (headers: Record<string, string>) => Promise<AxiosResponse<unknown>>,
    roles: readonly string[] = USER_ROLES,
  ): Promise<T> {
    const attempt = (token: string): Promise<T> =>
      callKeycloak(
        { endpoint: 'admin', operation, answer },
        () => request({ Authorization: `Bearer ${token}` }),
        this.metrics,
      );
    const token = await this.tokens.getToken();
    try {
      return await attempt(token);
    } catch (err: unknown) {
      if (!(err instanceof KeycloakResponseError && err.upstream?.status === 401)) {
        throw this.narrow(err, roles);
      }
    }
    this.tokens.invalidate(token);
    try {
      return await attempt(await this.tokens.getToken());
    } catch (err: unknown) {
      throw this.narrow(err, roles);
    }
  }

  private narrow(err: unknown, roles: readonly string[]): unknown {
    if (err instanceof KeycloakResponseError && err.upstream?.status === 403) {
      return new AdminPermissionMissingError(this.config.clientId, err, roles);
    }
    return err;
  }
}

import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ValidationFailedError } from '../common/errors/http-errors';
import { authConfig } from '../config/auth.config';
import { keycloakConfig } from '../config/keycloak.config';
import { KeycloakTokenClient, type KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import {
  mapTokenEndpointError,
  mapUserinfoError,
  type TokenOperation,
} from '../keycloak/token-endpoint.errors';
import { codeOf, MetricsService } from '../common/metrics/metrics.service';
import type { AuthenticatedUser } from './authenticated-user';
import type { MeDto } from './dto/me.dto';
import type { TokenResponseDto } from './dto/token-response.dto';

@Injectable()
export class AuthService {
  constructor(
    private readonly tokens: KeycloakTokenClient,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async login(username: string, password: string, scope?: string): Promise<TokenResponseDto> {
    const requested = this.scopeFor(scope);
    return toTokenResponse(
      await this.call('login', () => this.tokens.passwordGrant(username, password, requested)),
    );
  }

  async refresh(refreshToken: string): Promise<TokenResponseDto> {
    return toTokenResponse(
      await this.call('refresh', () => this.tokens.refreshGrant(refreshToken)),
    );
  }

  async logout(refreshToken: string): Promise<void> {
    await this.call('logout', () => this.tokens.logout(refreshToken));
  }

  async me(user: AuthenticatedUser): Promise<MeDto> {
    if (user.introspected) {
      // Keycloak's userinfo refuses lightweight access tokens, and introspection already
      // answered with the user's claims (those mapped "to token introspection").
      return { ...userinfoClaimsOf(user.claims), sub: user.claims.sub, roles: user.roles };
    }
    try {
      const info = await this.tokens.userinfo(user.accessToken);
      return { ...info, roles: user.roles };
    } catch (err: unknown) {
      throw mapUserinfoError(err);
    }
  }

  /**
   * `openid` always, so that userinfo accepts the token (Keycloak answers 403 without it); any
   * other scope only from the allow-list.
   */
  scopeFor(scope: string | undefined): string {
    const extra = (scope ?? '').split(' ').filter((s) => s.length > 0 && s !== 'openid');
    const refused = extra.filter((s) => !this.auth.allowedScopes.includes(s));
    if (refused.length > 0) {
      throw new ValidationFailedError([
        {
          field: 'scope',
          message: `scope ${refused.map((s) => `'${s}'`).join(', ')} is not allowed (allowed: ${this.auth.allowedScopes.join(', ') || 'none'})`,
        },
      ]);
    }
    return ['openid', ...new Set(extra)].join(' ');
  }

  private async call<T>(operation: TokenOperation, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      this.count(operation, 'ok');
      return result;
    } catch (err: unknown) {
      const mapped = mapTokenEndpointError(err, operation, this.keycloak.clientId);
      this.count(operation, codeOf(mapped));
      throw mapped;
    }
  }

  private count(operation: TokenOperation, outcome: string): void {
    if (operation === 'login') {
      this.metrics?.login('password', outcome);
    } else if (operation === 'refresh') {
      this.metrics?.refresh('password', outcome);
    }
  }
}

/** The fields of Keycloak's answer the API documents (TokenResponseDto), nothing else. */
export function toTokenResponse(response: KeycloakTokenResponse): TokenResponseDto {
  return {
    access_token: response.access_token,
    expires_in: response.expires_in,
    refresh_token: response.refresh_token,
    refresh_expires_in: response.refresh_expires_in,
    token_type: response.token_type,
    id_token: response.id_token,
    scope: response.scope,
    session_state: response.session_state,
  };
}

/** OIDC Core §5.1: the standard claims, those userinfo would answer with. */
const STANDARD_CLAIMS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
];

function userinfoClaimsOf(claims: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(claims).filter(([claim]) => STANDARD_CLAIMS.includes(claim)),
  );
}

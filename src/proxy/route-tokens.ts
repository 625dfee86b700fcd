import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { Clock } from '../common/clock/clock';
import { ProblemError } from '../common/errors/problem.error';
import type { ApiRoute } from '../config/api-route.entry';
import { apiRoutesConfig } from '../config/api-routes.config';
import { keycloakConfig } from '../config/keycloak.config';
import { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import { mapTokenEndpointError } from '../keycloak/token-endpoint.errors';
import { codeOf, MetricsService } from '../common/metrics/metrics.service';
import { mapTokenExchangeError } from '../token-exchange/token-exchange.errors';
import { RouteTokenError } from './proxy.errors';
import { expiryOf, TokenCache } from './token-cache';

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const CLIENT_KEY = 'client';

/** The token a route's request carries upstream, and how to forget it if the API refuses it. */
export interface RouteToken {
  readonly token: string;
  readonly cacheKey?: string;
}

/**
 * The token each route's policy puts in the upstream request's Authorization header:
 * - `exchange` (and `user-or-none` with an audience): the caller's token exchanged at Keycloak
 *   (RFC 8693, Keycloak's standard token exchange) for `aud` = the route's audience alone,
 *   narrowed to its scope; cached per (caller, audience, scope) until shortly before `exp`;
 * - `user` (and `user-or-none` without one): the caller's own token;
 * - `client`: the BFF's client-credentials token (RFC 6749 §4.4), cached;
 * - `none`: nothing.
 */
@Injectable()
export class RouteTokens {
  private readonly cache: TokenCache;

  constructor(
    private readonly keycloakTokens: KeycloakTokenClient,
    @Inject(apiRoutesConfig.KEY) config: ConfigType<typeof apiRoutesConfig>,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.cache = new TokenCache(config.tokenCacheSize, clock);
  }

  /** Tokens held now (for tests and metrics). */
  get cachedTokens(): number {
    return this.cache.size;
  }

  /** Undefined: the request goes upstream without Authorization. */
  async tokenFor(
    route: ApiRoute,
    caller: AuthenticatedUser | undefined,
  ): Promise<RouteToken | undefined> {
    switch (route.token) {
      case 'none':
        return undefined;
      case 'client':
        return { token: await this.clientToken(), cacheKey: CLIENT_KEY };
      case 'user':
        return caller && { token: caller.accessToken };
      case 'user-or-none':
      case 'exchange':
        if (!caller) {
          return undefined;
        }
        if (route.audience === undefined) {
          return { token: caller.accessToken };
        }
        return this.exchanged(caller, route.audience, route.scope);
    }
  }

  /** The API said the token is no longer good (RFC 6750 §3.1 invalid_token): do not hand it out again. */
  forget(token: RouteToken): void {
    if (token.cacheKey !== undefined) {
      this.cache.forget(token.cacheKey, token.token);
    }
  }

  private async exchanged(
    caller: AuthenticatedUser,
    audience: string,
    scope: string | undefined,
  ): Promise<RouteToken> {
    const cacheKey = `x\u0000${callerKey(caller)}\u0000${audience}\u0000${scope ?? ''}`;
    const token = await this.cache.get(cacheKey, async () => {
      try {
        const answer = await this.keycloakTokens.tokenExchange(caller.accessToken, {
          audience,
          requested_token_type: ACCESS_TOKEN_TYPE,
          ...(scope === undefined ? {} : { scope }),
        });
        this.metrics?.tokenExchange(audience, 'ok');
        return {
          token: answer.access_token,
          expiresAt: expiryOf(this.clock.now(), answer.expires_in),
        };
      } catch (err: unknown) {
        const refusal = asRouteTokenError(
          mapTokenExchangeError(err, {
            clientId: this.keycloak.clientId,
            audiences: [audience],
            requestedTokenType: ACCESS_TOKEN_TYPE,
            kind: 'standard',
          }),
        );
        this.metrics?.tokenExchange(audience, codeOf(refusal));
        throw refusal;
      }
    });
    return { token, cacheKey };
  }

  private clientToken(): Promise<string> {
    return this.cache.get(CLIENT_KEY, async () => {
      try {
        const answer = await this.keycloakTokens.clientCredentialsGrant(
          undefined,
          "API proxy's client-credentials grant",
        );
        return {
          token: answer.access_token,
          expiresAt: expiryOf(this.clock.now(), answer.expires_in),
        };
      } catch (err: unknown) {
        throw asRouteTokenError(
          mapTokenEndpointError(err, 'client_credentials', this.keycloak.clientId),
        );
      }
    });
  }
}

/**
 * Whose exchanged token it is. A session's caller is its Keycloak session (`sid`), which
 * outlives each refreshed access token, so a refresh does not cost a new exchange; a bearer
 * caller is the token itself (hashed: the key is kept, the token need not be).
 */
function callerKey(caller: AuthenticatedUser): string {
  const sid: unknown = caller.claims.sid;
  if (caller.viaSession && typeof sid === 'string') {
    return `s\u0000${caller.claims.sub}\u0000${sid}`;
  }
  return `t\u0000${createHash('sha256').update(caller.accessToken).digest('base64url')}`;
}

/**
 * Keycloak refusing the route's token is the operator's setup, not the caller's doing: 502 with
 * the refusal's own code and hint. Two exceptions keep their status: the caller's token no
 * longer accepted at Keycloak (401: log in again), and Keycloak unreachable or failing (5xx).
 */
function asRouteTokenError(err: unknown): unknown {
  if (err instanceof ProblemError && err.status >= 400 && err.status < 500 && err.status !== 401) {
    return new RouteTokenError(err);
  }
  return err;
}

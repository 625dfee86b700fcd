import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { EnvExample, splitList, toInt, validateEnv } from './env-validation';
import { keycloakConfig } from './keycloak.config';

/**
 * When the guard asks Keycloak's introspection endpoint (RFC 7662) about a bearer token:
 * never; only for tokens that are not JWTs or lack the claims the guards need (lightweight
 * access tokens); or for every new token, so a revocation is seen within the cache TTL.
 */
export const INTROSPECTION_MODES = ['off', 'fallback', 'always'] as const;
export type IntrospectionMode = (typeof INTROSPECTION_MODES)[number];

export class AuthEnv {
  @EnvExample('bff')
  @IsOptional()
  @IsString()
  AUTH_AUDIENCE?: string;

  @EnvExample('5')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(0)
  @Max(300)
  AUTH_CLOCK_TOLERANCE_S = 5;

  @EnvExample('profile email offline_access')
  @IsOptional()
  @Matches(/^[\w:./-]+([ ,][\w:./-]+)*$/, {
    message: 'must be scope names separated by spaces or commas',
  })
  AUTH_ALLOWED_SCOPES?: string;

  @EnvExample('10000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of entries (0 disables the cache)' })
  @Min(0)
  @Max(1_000_000)
  AUTH_TOKEN_CACHE_SIZE = 10_000;

  @EnvExample('fallback')
  @IsIn(INTROSPECTION_MODES, { message: `must be one of ${INTROSPECTION_MODES.join(', ')}` })
  AUTH_INTROSPECTION: IntrospectionMode = 'off';

  @EnvExample('60')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(1)
  @Max(86_400)
  AUTH_INTROSPECTION_CACHE_TTL_S = 300;

  @EnvExample('20')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of attempts' })
  @Min(1)
  LOGIN_RATE_LIMIT_PER_IP = 20;

  @EnvExample('5')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of attempts' })
  @Min(1)
  LOGIN_RATE_LIMIT_PER_USERNAME = 5;

  @EnvExample('30')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of login starts' })
  @Min(1)
  LOGIN_START_RATE_LIMIT_PER_IP = 30;

  @EnvExample('60')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(1)
  LOGIN_RATE_LIMIT_WINDOW_S = 60;
}

export const authConfig = registerAs('auth', () => {
  const env = validateEnv(AuthEnv, process.env);
  return {
    /**
     * The `aud` every access token must carry; Keycloak's audience mapper puts the client id
     * there, so the default is KEYCLOAK_CLIENT_ID as its own namespace validated it.
     */
    audience: env.AUTH_AUDIENCE ?? keycloakConfig().clientId,
    clockToleranceSec: env.AUTH_CLOCK_TOLERANCE_S,
    /** Scopes a login may ask for besides `openid`, which is always requested. */
    allowedScopes: splitList(
      (env.AUTH_ALLOWED_SCOPES ?? 'profile email offline_access').replace(/ /g, ','),
    ),
    tokenCacheSize: env.AUTH_TOKEN_CACHE_SIZE,
    introspection: {
      mode: env.AUTH_INTROSPECTION,
      /**
       * How long an introspection answer is trusted, at most (the token's own `exp` also ends
       * it): in `always`, how late a revocation at Keycloak may be seen.
       */
      cacheTtlMs: env.AUTH_INTROSPECTION_CACHE_TTL_S * 1000,
      /**
       * Entries kept, oldest dropped first: AUTH_TOKEN_CACHE_SIZE, but never fewer than 1,000,
       * since without this cache every request would be a call to Keycloak.
       */
      cacheSize: Math.max(env.AUTH_TOKEN_CACHE_SIZE, 1000),
    },
    loginRateLimit: {
      perIp: env.LOGIN_RATE_LIMIT_PER_IP,
      perUsername: env.LOGIN_RATE_LIMIT_PER_USERNAME,
      /** Browser logins started (GET /auth/login) per client IP. */
      startsPerIp: env.LOGIN_START_RATE_LIMIT_PER_IP,
      windowMs: env.LOGIN_RATE_LIMIT_WINDOW_S * 1000,
    },
  };
});

export type AuthConfig = ReturnType<typeof authConfig>;

import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { EnvExample, toInt, validateEnv } from './env-validation';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

export class KeycloakEnv {
  @EnvExample('http://127.0.0.1:8080')
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL of the Keycloak server' })
  KEYCLOAK_URL!: string;

  @EnvExample('https://sso.example.com')
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'must be the http(s) URL that appears in token issuers' })
  KEYCLOAK_PUBLIC_URL?: string;

  @EnvExample('demo')
  @IsString()
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'must be a realm name (letters, digits, . _ -)' })
  KEYCLOAK_REALM!: string;

  @EnvExample('bff')
  @IsString()
  @Matches(/^\S+$/, { message: 'must be a client id without spaces' })
  KEYCLOAK_CLIENT_ID!: string;

  @EnvExample('bff-secret')
  @IsString({ message: "must be the client's secret (Credentials tab of the client)" })
  KEYCLOAK_CLIENT_SECRET!: string;

  @EnvExample('5000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(100)
  @Max(120_000)
  KEYCLOAK_HTTP_TIMEOUT_MS = 5000;

  // Also the bound on how long a rotated key can be refused, whatever an attacker sends: an
  // unknown kid can only be told from a forged one by fetching the set (see JwksService).
  @EnvExample('5000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(0)
  @Max(3_600_000)
  JWKS_REFETCH_COOLDOWN_MS = 5_000;

  // How soon a key disabled or removed in Keycloak stops being trusted.
  @EnvExample('60000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(1_000)
  @Max(3_600_000)
  JWKS_REFRESH_INTERVAL_MS = 60_000;
}

/** `http://kc:8080/` and `http://kc:8080` must build the same URLs. */
const trimSlash = (url: string): string => url.replace(/\/+$/, '');

export const keycloakConfig = registerAs('keycloak', () => {
  const env = validateEnv(KeycloakEnv, process.env);
  const url = trimSlash(env.KEYCLOAK_URL);
  const publicUrl = trimSlash(env.KEYCLOAK_PUBLIC_URL ?? env.KEYCLOAK_URL);
  return {
    /** Where the BFF reaches Keycloak (may be an internal address). */
    url,
    /** What browsers and token issuers see. */
    publicUrl,
    realm: env.KEYCLOAK_REALM,
    clientId: env.KEYCLOAK_CLIENT_ID,
    clientSecret: env.KEYCLOAK_CLIENT_SECRET,
    httpTimeoutMs: env.KEYCLOAK_HTTP_TIMEOUT_MS,
    /** The least time between two JWKS fetches an unknown `kid` may cause. */
    jwksRefetchCooldownMs: env.JWKS_REFETCH_COOLDOWN_MS,
    /** How often the JWKS is fetched whatever tokens arrive (drops disabled keys). */
    jwksRefreshIntervalMs: env.JWKS_REFRESH_INTERVAL_MS,
    /** The `iss` every token of this realm must carry. */
    expectedIssuer: `${publicUrl}/realms/${encodeURIComponent(env.KEYCLOAK_REALM)}`,
    discoveryUrl: `${url}/realms/${encodeURIComponent(env.KEYCLOAK_REALM)}/.well-known/openid-configuration`,
  };
});

export type KeycloakConfig = ReturnType<typeof keycloakConfig>;

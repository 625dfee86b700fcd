import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { EnvExample, splitList, toBool, toInt, validateEnv } from './env-validation';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const ORIGIN_LIST = /^\s*https?:\/\/[^/\s,]+(\s*,\s*https?:\/\/[^/\s,]+)*\s*$/;
// 32 bytes as 64 hex digits or as base64 / base64url (43 or 44 characters).
const AES_256_KEY = /^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/;
const SAME_SITE = ['strict', 'lax'] as const;

const enabled = (env: SessionEnv): boolean => env.SESSION_ENABLED;

const KEY_FORMAT = 'must be 32 bytes as 64 hex digits or base64';

/**
 * Why a SESSION_ENCRYPTION_KEY value is refused, or undefined when it is usable. Names the bad
 * entry by its position, never by its value: the line goes to logs.
 */
export function encryptionKeyProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string') {
    return KEY_FORMAT;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.length === 1) {
    return AES_256_KEY.test(raw.trim()) ? undefined : KEY_FORMAT;
  }
  const bad = entries.findIndex((entry) => !AES_256_KEY.test(entry));
  if (bad < 0) {
    return undefined;
  }
  const which = `entry ${bad + 1} of ${entries.length} of the comma-separated list`;
  return entries[bad] === ''
    ? `${which} is empty`
    : `${which} ${KEY_FORMAT} (the first entry encrypts, every entry decrypts)`;
}

function IsEncryptionKeyList(): PropertyDecorator {
  return ValidateBy({
    name: 'isEncryptionKeyList',
    validator: {
      validate: (value: unknown) => encryptionKeyProblem(value) === undefined,
      defaultMessage: (args) => encryptionKeyProblem(args?.value) ?? '',
    },
  });
}

export class SessionEnv {
  @EnvExample('true')
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  SESSION_ENABLED = false;

  // A list during a key change: `new,old` seals with new and still opens what old sealed.
  @EnvExample('$(openssl rand -base64 32)')
  @ValidateIf((env: SessionEnv) => env.SESSION_ENABLED || env.SESSION_ENCRYPTION_KEY !== undefined)
  @IsEncryptionKeyList()
  SESSION_ENCRYPTION_KEY?: string;

  @EnvExample('http://127.0.0.1:3000/auth/callback')
  @ValidateIf(enabled)
  @IsUrl(URL_OPTIONS, { message: "must be the http(s) URL of this BFF's /auth/callback" })
  SESSION_REDIRECT_URI?: string;

  @EnvExample('http://127.0.0.1:3000/')
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL registered on the client' })
  SESSION_POST_LOGOUT_REDIRECT_URI?: string;

  @EnvExample('__Host-bff-session')
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be a cookie name (letters, digits, _ -)' })
  SESSION_COOKIE_NAME = '__Host-bff-session';

  @EnvExample('strict')
  @IsIn(SAME_SITE, { message: 'must be strict or lax' })
  SESSION_COOKIE_SAMESITE: (typeof SAME_SITE)[number] = 'strict';

  @EnvExample('1800')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(60)
  @Max(30 * 24 * 3600)
  SESSION_IDLE_TIMEOUT_S = 1800;

  @EnvExample('36000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(60)
  @Max(365 * 24 * 3600)
  SESSION_ABSOLUTE_TIMEOUT_S = 36_000;

  @EnvExample('https://app.example.com,http://localhost:5173')
  @IsOptional()
  @Matches(ORIGIN_LIST, {
    message: 'must be a comma-separated list of origins (scheme://host[:port])',
  })
  SESSION_RETURN_TO_ORIGINS?: string;

  @EnvExample('x-csrf')
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be an HTTP header name' })
  SESSION_CSRF_HEADER = 'x-csrf';

  @EnvExample('profile email')
  @Matches(/^[\w:./-]+([ ,][\w:./-]+)*$/, {
    message: 'must be scope names separated by spaces or commas',
  })
  SESSION_SCOPES = 'profile email';

  @EnvExample('5')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(0)
  @Max(600)
  SESSION_REFRESH_BEFORE_S = 5;

  // A floor, not the whole story: SessionRefresher never leases for less than two Keycloak
  // calls (2 × KEYCLOAK_HTTP_TIMEOUT_MS + a margin), so a slow refresh keeps its lock.
  @EnvExample('10000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(500)
  @Max(120_000)
  SESSION_REFRESH_LOCK_MS = 10_000;

  // What a login takes (Keycloak's page, a password, perhaps a second factor); a pending login
  // is state an unauthenticated caller makes us keep, so no longer than that.
  @EnvExample('300')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(30)
  @Max(3600)
  SESSION_LOGIN_TIMEOUT_S = 300;

  @EnvExample('20')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of pending logins' })
  @Min(1)
  @Max(10_000)
  SESSION_LOGIN_PENDING_PER_IP = 20;

  @EnvExample('keycloak-bff:session:')
  @Matches(/^[\w:.-]{1,100}$/, { message: 'must be a Redis key prefix (letters, digits, : . _ -)' })
  SESSION_REDIS_PREFIX = 'keycloak-bff:session:';
}

/** A 32-byte AES key from 64 hex digits or base64(url). */
export function parseEncryptionKey(raw: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(raw)
    ? Buffer.from(raw, 'hex')
    : Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** The validated SESSION_ENCRYPTION_KEY list: the first key encrypts, every key decrypts. */
export function parseEncryptionKeys(raw: string | undefined): Buffer[] {
  return splitList(raw).map(parseEncryptionKey);
}

export const sessionConfig = registerAs('session', () => {
  const env = validateEnv(SessionEnv, process.env);
  const cookieName = env.SESSION_COOKIE_NAME;
  return {
    /** Cookie-session mode (the /auth/login GET, /auth/callback, /auth/session… routes). */
    enabled: env.SESSION_ENABLED,
    /** Sealing keys: the first encrypts, all decrypt, so keys can change without logging anyone out. */
    encryptionKeys: parseEncryptionKeys(env.SESSION_ENCRYPTION_KEY),
    redirectUri: env.SESSION_REDIRECT_URI ?? '',
    postLogoutRedirectUri: env.SESSION_POST_LOGOUT_REDIRECT_URI,
    cookieName,
    /** The short-lived login-transaction cookie; Lax so it survives the return from Keycloak. */
    loginCookieName: `${cookieName}-login`,
    sameSite: env.SESSION_COOKIE_SAMESITE,
    idleTimeoutMs: env.SESSION_IDLE_TIMEOUT_S * 1000,
    absoluteTimeoutMs: env.SESSION_ABSOLUTE_TIMEOUT_S * 1000,
    returnToOrigins: splitList(env.SESSION_RETURN_TO_ORIGINS).map((o) => o.replace(/\/+$/, '')),
    csrfHeader: env.SESSION_CSRF_HEADER.toLowerCase(),
    scope: ['openid', ...splitList(env.SESSION_SCOPES.replace(/ /g, ','))]
      .filter((s, i, all) => all.indexOf(s) === i)
      .join(' '),
    refreshBeforeMs: env.SESSION_REFRESH_BEFORE_S * 1000,
    refreshLockMs: env.SESSION_REFRESH_LOCK_MS,
    redisPrefix: env.SESSION_REDIS_PREFIX,
    /** How long a started login may take before its callback is refused. */
    loginTimeoutMs: env.SESSION_LOGIN_TIMEOUT_S * 1000,
    /** Pending logins kept per client IP; past it, that IP's oldest is dropped. */
    pendingLoginsPerIp: env.SESSION_LOGIN_PENDING_PER_IP,
  };
});

export type SessionConfig = ReturnType<typeof sessionConfig>;

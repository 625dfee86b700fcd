import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { EnvExample, toInt, validateEnv } from './env-validation';

export const ADMIN_TOKEN_MODES = ['service-account', 'master-admin'] as const;
export type AdminTokenMode = (typeof ADMIN_TOKEN_MODES)[number];

export class AdminEnv {
  @EnvExample('admin')
  @IsString()
  ADMIN_ROLE = 'admin';

  @EnvExample('service-account')
  @IsIn(ADMIN_TOKEN_MODES, { message: `must be one of ${ADMIN_TOKEN_MODES.join(', ')}` })
  ADMIN_TOKEN_MODE: AdminTokenMode = 'service-account';

  // Only for the weaker master-admin mode.
  @EnvExample('admin')
  @ValidateIf((env: AdminEnv) => env.ADMIN_TOKEN_MODE === 'master-admin')
  @IsString({ message: 'is required when ADMIN_TOKEN_MODE=master-admin' })
  KEYCLOAK_ADMIN_USERNAME?: string;

  @EnvExample('change-me')
  @ValidateIf((env: AdminEnv) => env.ADMIN_TOKEN_MODE === 'master-admin')
  @IsString({ message: 'is required when ADMIN_TOKEN_MODE=master-admin' })
  KEYCLOAK_ADMIN_PASSWORD?: string;

  @EnvExample('30')
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a number of seconds' })
  @Min(0)
  @Max(600)
  ADMIN_TOKEN_EXPIRY_SKEW_S = 30;

  @EnvExample('100')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of users' })
  @Min(1)
  @Max(1000)
  USERS_MAX_PAGE_SIZE = 100;
}

export const adminConfig = registerAs('admin', () => {
  const env = validateEnv(AdminEnv, process.env);
  return {
    role: env.ADMIN_ROLE,
    tokenMode: env.ADMIN_TOKEN_MODE,
    masterAdmin:
      env.ADMIN_TOKEN_MODE === 'master-admin'
        ? {
            username: env.KEYCLOAK_ADMIN_USERNAME ?? '',
            password: env.KEYCLOAK_ADMIN_PASSWORD ?? '',
          }
        : undefined,
    tokenExpirySkewSec: env.ADMIN_TOKEN_EXPIRY_SKEW_S,
    maxPageSize: env.USERS_MAX_PAGE_SIZE,
  };
});

export type AdminConfig = ReturnType<typeof adminConfig>;

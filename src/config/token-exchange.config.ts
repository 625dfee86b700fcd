import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EnvExample, splitList, toBool, validateEnv } from './env-validation';

const ID_LIST = /^[\w.:-]+(,[\w.:-]+)*$/;

export class TokenExchangeEnv {
  // The allow-list is the BFF's own rule, checked before Keycloak is asked: a downstream API the
  // operator never listed cannot be reached through the BFF even if Keycloak would allow it.
  @EnvExample('orders-api')
  @IsOptional()
  @Matches(ID_LIST, { message: 'must be client ids separated by commas' })
  TOKEN_EXCHANGE_AUDIENCES?: string;

  @EnvExample('false')
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  TOKEN_EXCHANGE_IMPERSONATION_ENABLED = false;

  @EnvExample('admin')
  @IsString()
  @MaxLength(255)
  TOKEN_EXCHANGE_IMPERSONATION_ROLE = 'admin';

  // Identity-provider aliases; empty keeps external-token exchange (in and out) switched off.
  @EnvExample('partner')
  @IsOptional()
  @Matches(ID_LIST, { message: 'must be identity-provider aliases separated by commas' })
  TOKEN_EXCHANGE_EXTERNAL_ISSUERS?: string;
}

/** TOKEN_EXCHANGE_AUDIENCES as a list; the routes file's exchange audiences must be in it too. */
export function exchangeAudiences(env: NodeJS.ProcessEnv): string[] {
  const raw = env.TOKEN_EXCHANGE_AUDIENCES;
  return splitList(raw === undefined || raw === '' ? 'orders-api' : raw);
}

export const tokenExchangeConfig = registerAs('tokenExchange', () => {
  const env = validateEnv(TokenExchangeEnv, process.env);
  return {
    audiences: exchangeAudiences(process.env),
    impersonation: {
      enabled: env.TOKEN_EXCHANGE_IMPERSONATION_ENABLED,
      role: env.TOKEN_EXCHANGE_IMPERSONATION_ROLE,
    },
    externalIssuers: splitList(env.TOKEN_EXCHANGE_EXTERNAL_ISSUERS),
  };
});

export type TokenExchangeConfig = ReturnType<typeof tokenExchangeConfig>;

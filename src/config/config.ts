import { AppEnv, appConfig } from './app.config';
import { AdminEnv, adminConfig } from './admin.config';
import { ApiRoutesEnv, apiRoutesConfig } from './api-routes.config';
import { AuthEnv, authConfig } from './auth.config';
import { DoctorEnv, doctorConfig } from './doctor.config';
import { checkEnv } from './env-validation';
import { KeycloakEnv, keycloakConfig } from './keycloak.config';
import { MetricsEnv, metricsConfig } from './metrics.config';
import { RedisEnv, redisConfig } from './redis.config';
import { SessionEnv, sessionConfig } from './session.config';
import { TokenExchangeEnv, tokenExchangeConfig } from './token-exchange.config';

/** Every config namespace, in the order docs/configuration.md documents them. */
export const configNamespaces = [
  appConfig,
  keycloakConfig,
  authConfig,
  redisConfig,
  adminConfig,
  tokenExchangeConfig,
  doctorConfig,
  sessionConfig,
  apiRoutesConfig,
  metricsConfig,
];

const envClasses = [
  AppEnv,
  KeycloakEnv,
  AuthEnv,
  RedisEnv,
  AdminEnv,
  TokenExchangeEnv,
  DoctorEnv,
  SessionEnv,
  ApiRoutesEnv,
  MetricsEnv,
];

/** One line per bad variable across all namespaces, so an operator fixes them in one go. */
export function collectEnvErrors(env: NodeJS.ProcessEnv): string[] {
  return envClasses.flatMap((cls) => checkEnv(cls as new () => object, env).errors);
}

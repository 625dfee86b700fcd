import { registerAs } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import type { ApiRoute } from './api-route.entry';
import { readApiRoutes } from './api-routes.file';
import { EnvDeepCheck, EnvExample, EnvValidationError, validateEnv } from './env-validation';
import { exchangeAudiences } from './token-exchange.config';

export class ApiRoutesEnv {
  // The file is checked here, at start, with everything else: each bad route is a line of its
  // own, so a typo in one route stops the BFF instead of surfacing as a 404 at run time.
  @EnvExample('api-routes.json')
  @IsOptional()
  @IsString()
  @EnvDeepCheck((file, env) => readApiRoutes(file as string, exchangeAudiences(env)).problems)
  API_ROUTES_FILE?: string;
}

/** The API proxy's routes, as the proxy consumes them. */
export interface ApiRoutesConfig {
  /** The routes file as named by API_ROUTES_FILE (a relative path is from the working directory). */
  file?: string;
  /** In file order; none without API_ROUTES_FILE. */
  routes: readonly ApiRoute[];
}

export const apiRoutesConfig = registerAs('apiRoutes', (): ApiRoutesConfig => {
  const env = validateEnv(ApiRoutesEnv, process.env);
  const file = env.API_ROUTES_FILE;
  if (file === undefined) {
    return { routes: [] };
  }
  // Read again rather than kept from the check above: the factory may run on its own (tests).
  const { routes, problems } = readApiRoutes(file, exchangeAudiences(process.env));
  if (problems.length > 0) {
    throw new EnvValidationError(problems.map((p) => `API_ROUTES_FILE is invalid: ${p}`));
  }
  return { file, routes };
});

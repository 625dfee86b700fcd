import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { ApiRoute } from './api-route.entry';
import { readApiRoutes } from './api-routes.file';
import { EnvDeepCheck, EnvExample, EnvValidationError, toInt, validateEnv } from './env-validation';
import { exchangeAudiences } from './token-exchange.config';

export class ApiRoutesEnv {
  // The file is checked here, at start, with everything else: each bad route is a line of its
  // own, so a typo in one route stops the BFF instead of surfacing as a 404 at run time.
  @EnvExample('api-routes.json')
  @IsOptional()
  @IsString()
  @EnvDeepCheck((file, env) => readApiRoutes(file as string, exchangeAudiences(env)).problems)
  API_ROUTES_FILE?: string;

  // One entry per (caller, audience, scope) with an exchanged token, plus one for `client`.
  @EnvExample('10000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of entries (0 disables the cache)' })
  @Min(0)
  @Max(1_000_000)
  API_PROXY_TOKEN_CACHE_SIZE = 10_000;
}

/** The API proxy's routes, as the proxy consumes them. */
export interface ApiRoutesConfig {
  /** The routes file as named by API_ROUTES_FILE (a relative path is from the working directory). */
  file?: string;
  /** In file order; none without API_ROUTES_FILE. */
  routes: readonly ApiRoute[];
  /** Most tokens the proxy keeps for its routes (exchanged and client-credentials tokens). */
  tokenCacheSize: number;
}

export const apiRoutesConfig = registerAs('apiRoutes', (): ApiRoutesConfig => {
  const env = validateEnv(ApiRoutesEnv, process.env);
  const file = env.API_ROUTES_FILE;
  if (file === undefined) {
    return { routes: [], tokenCacheSize: env.API_PROXY_TOKEN_CACHE_SIZE };
  }
  // Read again rather than kept from the check above: the factory may run on its own (tests).
  const { routes, problems } = readApiRoutes(file, exchangeAudiences(process.env));
  if (problems.length > 0) {
    throw new EnvValidationError(problems.map((p) => `API_ROUTES_FILE is invalid: ${p}`));
  }
  return { file, routes, tokenCacheSize: env.API_PROXY_TOKEN_CACHE_SIZE };
});

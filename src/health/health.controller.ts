import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator';
import { ApiProblemResponses } from '../common/swagger/problem.schema';
import { keycloakConfig } from '../config/keycloak.config';
import { KeycloakError } from '../keycloak/keycloak.errors';
import { KeycloakHealthIndicator } from './keycloak.health-indicator';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly keycloak: KeycloakHealthIndicator,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up (does not call Keycloak)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  @ApiProblemResponses()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: OIDC discovery loaded, Keycloak reachable, a signing key cached (answer reused for 1 s)',
  })
  @ApiOkResponse({ schema: { example: { status: 'ok', info: { keycloak: { status: 'up' } } } } })
  @ApiProblemResponses(503)
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.keycloak.isReady()]);
    } catch (err: unknown) {
      if (!(err instanceof ServiceUnavailableException)) {
        throw err;
      }
      const result = err.getResponse() as HealthCheckResult;
      const keycloak = result.details.keycloak as { code?: string; message?: string } | undefined;
      throw new KeycloakError(
        // Reachable but without a signing key is its own answer: nothing can be verified.
        keycloak?.code === 'JWKS_UNAVAILABLE' ? 'JWKS_UNAVAILABLE' : 'IDP_UNAVAILABLE',
        `Keycloak (realm '${this.config.realm}' at ${this.config.url}) is not usable: ${keycloak?.message ?? 'unknown reason'}`,
        {
          hint: 'Check that Keycloak is running, KEYCLOAK_URL is reachable from the BFF and KEYCLOAK_REALM exists.',
          extensions: { checks: result.details },
          cause: err,
        },
      );
    }
  }
}

import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { KeycloakHealthIndicator } from './keycloak.health-indicator';

@Module({
  // Terminus logs failures itself in its own format; our filter logs them once, redacted.
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController],
  providers: [KeycloakHealthIndicator],
})
export class HealthModule {}

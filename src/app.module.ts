import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConditionalModule, ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { JWT_STRATEGY } from './auth/guards/jwt.strategy';
import { BenchModule } from './bench/bench.module';
import { ClockModule } from './common/clock/clock.module';
import { appConfig } from './config/app.config';
import { configNamespaces } from './config/config';
import { HealthModule } from './health/health.module';
import { KeycloakModule } from './keycloak/keycloak.module';
import { ProxyModule } from './proxy/proxy.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { SESSION_COOKIE_STRATEGY } from './session/session-cookie.strategy';
import { SessionModule } from './session/session.module';
import { TokenExchangeModule } from './token-exchange/token-exchange.module';
import { stopTracing } from './tracing/tracing';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    // main.ts loads .env and validates first, so bad config never gets this far in production.
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configNamespaces }),
    ClockModule,
    MetricsModule,
    KeycloakModule,
    HealthModule,
    // The global guard's credential sources, in order: a bearer token wins over a session cookie.
    AuthModule.forRoot({ credentialSources: [JWT_STRATEGY, SESSION_COOKIE_STRATEGY] }),
    SessionModule,
    UsersModule,
    TokenExchangeModule,
    ProxyModule,
    // Decided while Nest resolves the imports, which is after main.ts has loaded .env (an import
    // like `process.env.X ? [M] : []` runs before, so a .env setting would be ignored).
    ConditionalModule.registerWhen(BenchModule, () => appConfig().benchRoutes, { debug: false }),
  ],
})
export class AppModule implements OnApplicationShutdown {
  private readonly logger = new Logger('keycloak-bff');

  async onApplicationShutdown(): Promise<void> {
    // Runs after the server stopped accepting requests and in-flight ones finished: the last
    // spans are flushed before the process exits.
    await stopTracing();
    this.logger.log('keycloak-bff stopped');
  }
}

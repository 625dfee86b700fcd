import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { authConfig } from '../config/auth.config';
import { RedisConnection } from '../redis/redis-connection';
import { RedisModule } from '../redis/redis.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CredentialPipeline } from './credential-pipeline';
import { AuthenticationGuard } from './guards/authentication.guard';
import { JWT_STRATEGY, JwtStrategy } from './guards/jwt.strategy';
import {
  LOGIN_START_TRACKER_PREFIX,
  LOGIN_THROTTLERS,
  LoginThrottlerGuard,
  usernameTracker,
} from './guards/login-throttler.guard';
import { RolesGuard } from './guards/roles.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** Where the app is assembled, the credential sources of the global guard are listed. */
export interface AuthModuleSetup {
  /**
   * passport strategy names, tried in this order; the bearer token (JWT_STRATEGY) first, since a
   * bearer token wins over any other credential. Each must be registered by a module the app
   * imports (e.g. SESSION_COOKIE_STRATEGY by SessionModule).
   */
  credentialSources: readonly string[];
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [authConfig.KEY, RedisConnection],
      imports: [RedisModule],
      useFactory: (auth: ConfigType<typeof authConfig>, redis: RedisConnection) => {
        const { perIp, perUsername, startsPerIp, windowMs } = auth.loginRateLimit;
        return {
          throttlers: [
            {
              name: LOGIN_THROTTLERS.ip,
              ttl: windowMs,
              limit: perIp,
              getTracker: (req: Record<string, unknown>) =>
                `ip:${(req as unknown as FastifyRequest).ip}`,
            },
            {
              name: LOGIN_THROTTLERS.username,
              ttl: windowMs,
              limit: perUsername,
              getTracker: usernameTracker,
            },
            {
              name: LOGIN_THROTTLERS.startIp,
              ttl: windowMs,
              limit: startsPerIp,
              getTracker: (req: Record<string, unknown>) =>
                `${LOGIN_START_TRACKER_PREFIX}${(req as unknown as FastifyRequest).ip}`,
            },
          ],
          // Without REDIS_URL, the throttler's own in-memory storage.
          storage: redis.client ? new RedisThrottlerStorage(redis) : undefined,
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    JwtStrategy,
    CredentialPipeline,
    LoginThrottlerGuard,
    // Order matters: authentication first, then roles.
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
})
export class AuthModule {
  static forRoot({ credentialSources }: AuthModuleSetup): DynamicModule {
    // The guard answers a token it verified before from the bearer source's memory, ahead of
    // the pipeline: right only while that source comes first.
    if (credentialSources[0] !== JWT_STRATEGY) {
      throw new Error(
        `AuthModule.forRoot: the bearer token ('${JWT_STRATEGY}') must be the first credential source, not '${credentialSources[0]}'`,
      );
    }
    return {
      module: AuthModule,
      // Global: the API proxy authenticates its routes with the same pipeline.
      global: true,
      imports: [PassportModule.register({ defaultStrategy: [...credentialSources] })],
      exports: [CredentialPipeline],
    };
  }
}

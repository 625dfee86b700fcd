import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { authConfig } from '../config/auth.config';
import { RedisConnection } from '../redis/redis-connection';
import { RedisModule } from '../redis/redis.module';
import { SessionModule } from '../session/session.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { JwtStrategy } from './guards/jwt.strategy';
import {
  LOGIN_START_TRACKER_PREFIX,
  LOGIN_THROTTLERS,
  LoginThrottlerGuard,
  usernameTracker,
} from './guards/login-throttler.guard';
import { RolesGuard } from './guards/roles.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

@Module({
  imports: [
    PassportModule,
    // The guard accepts the session cookie as well as a bearer token.
    SessionModule,
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
          storage: redis.client ? new RedisThrottlerStorage(redis.client) : undefined,
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    JwtStrategy,
    LoginThrottlerGuard,
    // Order matters: authentication first, then roles.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
})
export class AuthModule {}

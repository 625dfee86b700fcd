import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock/clock';
import { sessionConfig } from '../config/session.config';
import { RedisConnection } from '../redis/redis-connection';
import { RedisModule } from '../redis/redis.module';
import { LoginFlowService } from './login-flow.service';
import { LoginTransactionRepository } from './login-transaction.repository';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { RedirectUriRegistration } from './redirect-uri-registration';
import { SessionAuthenticator } from './session-authenticator';
import { SessionCookieStrategy } from './session-cookie.strategy';
import { SessionRefresher } from './session-refresher';
import { SessionSealer } from './session-sealer';
import { SessionController } from './session.controller';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';
import { MemorySessionStore } from './store/memory-session.store';
import { RedisSessionStore } from './store/redis-session.store';
import { SESSION_STORE, type SessionStore } from './store/session-store';

/**
 * The cookie-session mode. Always imported: it registers the session-cookie credential source
 * (SESSION_COOKIE_STRATEGY) the app lists for the global guard; SESSION_ENABLED decides whether
 * its routes and the cookie are honoured.
 */
@Module({
  imports: [RedisModule],
  controllers: [SessionController],
  providers: [
    {
      provide: SESSION_STORE,
      inject: [RedisConnection, sessionConfig.KEY, Clock],
      useFactory: (
        redis: RedisConnection,
        session: ConfigType<typeof sessionConfig>,
        clock: Clock,
      ): SessionStore =>
        // REDIS_URL: every instance sees every session; otherwise one process holds them.
        redis.client && session.enabled
          ? new RedisSessionStore(redis, session.redisPrefix)
          : new MemorySessionStore(clock),
    },
    SessionSealer,
    SessionRepository,
    LoginTransactionRepository,
    SessionRefresher,
    OidcTokenVerifier,
    SessionAuthenticator,
    SessionCookieStrategy,
    LoginFlowService,
    RedirectUriRegistration,
    SessionService,
  ],
})
export class SessionModule {}

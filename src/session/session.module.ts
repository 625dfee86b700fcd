import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config/auth.config';
import { sessionConfig } from '../config/session.config';
import { LoginFlowService } from './login-flow.service';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { RedirectUriRegistration } from './redirect-uri-registration';
import { SessionAuthenticator } from './session-authenticator';
import { SessionRefresher } from './session-refresher';
import { SessionController } from './session.controller';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';
import { MemorySessionStore } from './store/memory-session.store';
import { RedisSessionStore } from './store/redis-session.store';
import { SESSION_STORE, type SessionStore } from './store/session-store';

/**
 * The cookie-session mode. Always imported (the bearer guard asks SessionAuthenticator about
 * cookies); SESSION_ENABLED decides whether its routes and the cookie are honoured.
 */
@Module({
  controllers: [SessionController],
  providers: [
    {
      provide: SESSION_STORE,
      inject: [authConfig.KEY, sessionConfig.KEY],
      useFactory: (
        auth: ConfigType<typeof authConfig>,
        session: ConfigType<typeof sessionConfig>,
      ): SessionStore =>
        // REDIS_URL: every instance sees every session; otherwise one process holds them.
        auth.redisUrl && session.enabled
          ? new RedisSessionStore(auth.redisUrl, session.redisPrefix)
          : new MemorySessionStore(),
    },
    SessionRepository,
    SessionRefresher,
    OidcTokenVerifier,
    SessionAuthenticator,
    LoginFlowService,
    RedirectUriRegistration,
    SessionService,
  ],
  exports: [SessionAuthenticator],
})
export class SessionModule {}

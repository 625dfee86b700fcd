import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  ApiConsumes,
  ApiFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators/public.decorator';
import { ThrottleLoginStart } from '../auth/guards/login-throttler.guard';
import { ApiProblemResponses } from '../common/swagger/problem.schema';
import { sessionConfig } from '../config/session.config';
import { BackchannelLogoutDto } from './dto/backchannel-logout.dto';
import { CallbackQueryDto } from './dto/callback-query.dto';
import { LoginQueryDto } from './dto/login-query.dto';
import { LogoutResultDto, SessionDto } from './dto/session.dto';
import { LoginFlowService } from './login-flow.service';
import { RedirectUriRegistration } from './redirect-uri-registration';
import { SessionAuthenticator } from './session-authenticator';
import {
  clearCookie,
  MAX_SESSION_COOKIE_VALUES,
  readCookies,
  setLoginCookie,
  setSessionCookie,
} from './session-cookies';
import { SessionService } from './session.service';

/**
 * The cookie-session routes. They are @Public() for the bearer guard: each reads the session
 * cookie itself, so that a bearer token can never stand in for a session here.
 */
@ApiTags('session')
@Controller('auth')
@Public()
export class SessionController {
  constructor(
    private readonly service: SessionService,
    private readonly login: LoginFlowService,
    private readonly authenticator: SessionAuthenticator,
    private readonly redirectUri: RedirectUriRegistration,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  @Get('login')
  @ApiOperation({ summary: "Starts a browser login: 302 to Keycloak's authorization endpoint" })
  @ApiFoundResponse({ description: 'Redirect to Keycloak (code flow, PKCE S256, state, nonce)' })
  @ApiProblemResponses(400, 404, 429, 502, 503, 504)
  @ThrottleLoginStart()
  async startLogin(
    @Query() query: LoginQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.service.requireEnabled();
    // Before anything is stored: a browser sent to Keycloak with this URI would not come back.
    await this.redirectUri.ensureRegistered();
    const { url, transactionId } = await this.login.start(
      query.returnTo,
      request.ip,
      query.restarted === '1',
      { prompt: query.prompt, maxAge: query.max_age },
    );
    setLoginCookie(reply, this.config, transactionId);
    void reply.header('cache-control', 'no-store').redirect(url, 302);
  }

  @Get('callback')
  @ApiOperation({ summary: "Keycloak's redirect back: creates the session, 302 to returnTo" })
  @ApiFoundResponse({ description: 'Session cookie set; redirect to returnTo' })
  @ApiProblemResponses(400, 403, 404, 502, 503, 504)
  async callback(
    @Query() query: CallbackQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.service.requireEnabled();
    const transactionIds = readCookies(request, this.config.loginCookieName);
    // Whatever happens next, this login transaction is over.
    clearCookie(reply, this.config.loginCookieName, 'lax');
    const outcome = await this.login.finish(query, transactionIds);
    void reply.header('cache-control', 'no-store');
    if (outcome.kind === 'silent-failed') {
      // prompt=none and Keycloak needs the user: back to the SPA, which decides what to show.
      void reply.redirect(outcome.returnTo, 302);
      return;
    }
    if (outcome.kind === 'restart') {
      // Our own path, with the checked returnTo as a query value: /auth/login checks it again,
      // and checkReturnTo gives a checked value back unchanged.
      const again = `/auth/login?returnTo=${encodeURIComponent(outcome.returnTo)}&restarted=1`;
      void reply.redirect(again, 302);
      return;
    }
    // Session fixation: whatever session this browser had is gone, the new one has a new id.
    // Every value of the cookie counts, not only the first (a duplicate may come before it).
    await this.service.discard(
      readCookies(request, this.config.cookieName).slice(0, MAX_SESSION_COOKIE_VALUES),
    );
    setSessionCookie(reply, this.config, outcome.sessionId);
    void reply.redirect(outcome.returnTo, 302);
  }

  @Get('session')
  @ApiOperation({ summary: 'The current session: user claims, roles, expiry, logout URL' })
  @ApiOkResponse({ type: SessionDto })
  @ApiProblemResponses(401, 404, 502, 503, 504)
  async session(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    this.service.requireEnabled();
    void reply.header('cache-control', 'no-store');
    // GET: no CSRF step; otherwise what the guard's cookie source does.
    return this.service.describe(
      await this.authenticator.resume(await this.authenticator.load(request)),
    );
  }

  @Post('session/logout')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ends the Keycloak session and the server session; clears the cookie (needs X-CSRF)',
  })
  @ApiOkResponse({ type: LogoutResultDto })
  @ApiProblemResponses(401, 403, 404, 502, 503, 504)
  async logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LogoutResultDto> {
    this.service.requireEnabled();
    this.authenticator.checkCsrf(request);
    // No refresh first: an expired access token must not stand in the way of logging out.
    const session = await this.authenticator.load(request);
    const logoutUrl = await this.service.logout(session);
    clearCookie(reply, this.config.cookieName, this.config.sameSite);
    return { logoutUrl };
  }

  @Post('backchannel-logout')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({
    summary: "Keycloak's back-channel logout: ends the sessions the logout token names",
  })
  @ApiOkResponse({ description: 'Sessions ended (or none were left)' })
  @ApiProblemResponses(400, 404, 503)
  async backchannelLogout(
    @Body() body: BackchannelLogoutDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    this.service.requireEnabled();
    // Back-Channel Logout §2.8: the response must not be cached.
    void reply.header('cache-control', 'no-store');
    await this.service.backchannelLogout(body.logout_token);
  }
}

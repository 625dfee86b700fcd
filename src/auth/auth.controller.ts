import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../common/swagger/problem.schema';
import { AuthService } from './auth.service';
import type { AuthenticatedUser } from './authenticated-user';
import { Authenticated } from './decorators/authenticated.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { LoginDto } from './dto/login.dto';
import { ClaimsDto, MeDto } from './dto/me.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { TokenResponseDto } from './dto/token-response.dto';
import { ThrottlePasswordLogin } from './guards/login-throttler.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ThrottlePasswordLogin()
  @ApiOperation({ summary: "Password login with the BFF's client; openid is always requested" })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblemResponses(400, 401, 403, 429, 502, 503, 504)
  login(@Body() body: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login(body.username, body.password, body.scope);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'New tokens for a refresh token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblemResponses(400, 401, 502, 503, 504)
  refresh(@Body() body: RefreshTokenDto): Promise<TokenResponseDto> {
    return this.auth.refresh(body.refresh_token);
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Ends the Keycloak session of the refresh token' })
  @ApiNoContentResponse({ description: 'Logged out; the refresh token no longer works' })
  @ApiProblemResponses(400, 401, 502, 503, 504)
  async logout(@Body() body: RefreshTokenDto): Promise<void> {
    await this.auth.logout(body.refresh_token);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: "The user's claims from Keycloak's userinfo endpoint, plus roles from the token",
  })
  @ApiOkResponse({ type: MeDto })
  @ApiProblemResponses(401, 403, 502, 503, 504)
  me(@CurrentUser() user: AuthenticatedUser): Promise<MeDto> {
    return this.auth.me(user);
  }

  @Get('claims')
  @Authenticated()
  @ApiOperation({ summary: 'The verified access token claims and roles, without calling Keycloak' })
  @ApiOkResponse({ type: ClaimsDto })
  claims(@CurrentUser() user: AuthenticatedUser): ClaimsDto {
    return { claims: user.claims, roles: user.roles };
  }
}

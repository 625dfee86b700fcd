import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

export class LoginQueryDto {
  @ApiPropertyOptional({
    example: '/app/orders',
    description: 'A relative path, or a URL on an origin in SESSION_RETURN_TO_ORIGINS',
  })
  @IsOptional()
  @IsString()
  returnTo?: string;

  @ApiPropertyOptional({
    enum: ['1'],
    description:
      'Set by the callback when it restarts a login Keycloak could not finish; a second failure then ends with LOGIN_RETRY_FAILED instead of another round',
  })
  @IsOptional()
  @IsIn(['1'])
  restarted?: '1';

  @ApiPropertyOptional({
    enum: ['none', 'login'],
    description:
      'OIDC Core §3.1.2.1. `none`: silent login — with an SSO session at Keycloak the browser comes back logged in without seeing a page; without one it comes back to returnTo with `?error=login_required` (never an error page). `login`: Keycloak asks for the credentials again even with an SSO session',
  })
  @IsOptional()
  @IsIn(['none', 'login'])
  prompt?: 'none' | 'login';

  @ApiPropertyOptional({
    example: '300',
    description:
      'OIDC Core §3.1.2.1: the login must be newer than this many seconds, or Keycloak asks for the credentials again',
  })
  @IsOptional()
  @Matches(/^\d{1,9}$/, { message: 'must be a whole number of seconds' })
  max_age?: string;
}

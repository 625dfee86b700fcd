import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';

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
}

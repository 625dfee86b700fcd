import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class LoginQueryDto {
  @ApiPropertyOptional({
    example: '/app/orders',
    description: 'A relative path, or a URL on an origin in SESSION_RETURN_TO_ORIGINS',
  })
  @IsOptional()
  @IsString()
  returnTo?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Mirrors Keycloak's token response. */
export class TokenResponseDto {
  @ApiProperty()
  access_token!: string;

  @ApiProperty({ type: 'integer', example: 300 })
  expires_in!: number;

  @ApiPropertyOptional()
  refresh_token?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1800 })
  refresh_expires_in?: number;

  @ApiProperty({ example: 'Bearer' })
  token_type!: string;

  @ApiPropertyOptional()
  id_token?: string;

  @ApiPropertyOptional({ example: 'openid profile email' })
  scope?: string;

  @ApiPropertyOptional()
  session_state?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 8693 §2.2.1, as the BFF passes it on. */
export class TokenExchangeResponseDto {
  @ApiProperty({ description: 'The issued token (whatever issued_token_type says it is)' })
  access_token!: string;

  @ApiProperty({ example: 'urn:ietf:params:oauth:token-type:access_token' })
  issued_token_type!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: string;

  @ApiProperty({ type: 'integer', example: 300 })
  expires_in!: number;

  @ApiPropertyOptional()
  refresh_token?: string;

  @ApiPropertyOptional({ example: 'openid profile' })
  scope?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  username!: string;

  @ApiProperty({ example: 'alice-password', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({
    example: 'profile email',
    description:
      'Extra scopes from the configured allow-list (AUTH_ALLOWED_SCOPES); openid is always requested',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[\w:./-]+( [\w:./-]+)*$/, {
    message: 'scope must be scope names separated by single spaces',
  })
  scope?: string;
}

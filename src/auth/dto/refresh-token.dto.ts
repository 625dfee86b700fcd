import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh_token from /auth/login or /auth/refresh' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(16_384)
  refresh_token!: string;
}

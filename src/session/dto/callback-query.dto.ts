import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Keycloak's authorization response (RFC 6749 §4.1.2 and §4.1.2.1). */
export class CallbackQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  code?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(512)
  state?: string;

  @ApiPropertyOptional({ example: 'access_denied' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  error?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  error_description?: string;

  // Keycloak adds these; accepted so that forbidNonWhitelisted does not refuse its answer.
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(512)
  session_state?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  iss?: string;
}

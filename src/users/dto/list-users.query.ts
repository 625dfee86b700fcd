import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { NoControlCharacters } from '../../common/validation/no-control-characters';
import { toBool } from '../../config/env-validation';

/** The largest page any caller can ask for; USERS_MAX_PAGE_SIZE may lower it further. */
export const MAX_PAGE_SIZE = 100;

/** Keycloak reads `first` as a Java int: past 2^31 - 1 its Admin API answers 404. */
export const MAX_FIRST = 2_147_483_647;

export class ListUsersQuery {
  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: MAX_FIRST })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_FIRST)
  first = 0;

  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  max = 20;

  @ApiPropertyOptional({ description: 'Matches username, email, first or last name' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @NoControlCharacters()
  search?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @NoControlCharacters()
  username?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @NoControlCharacters()
  email?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'username/email must match exactly' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'exact must be true or false' })
  exact?: boolean;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}

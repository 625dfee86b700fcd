import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/** OpenID Connect Back-Channel Logout 1.0 §2.5: a form post with one parameter. */
export class BackchannelLogoutDto {
  @ApiProperty()
  @IsString()
  @MaxLength(16_384)
  logout_token!: string;
}

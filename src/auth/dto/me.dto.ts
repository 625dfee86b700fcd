import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class MeDto {
  @ApiProperty({ example: '5d0c...' })
  sub!: string;

  @ApiPropertyOptional({ example: 'alice' })
  preferred_username?: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  email?: string;

  @ApiPropertyOptional()
  email_verified?: boolean;

  @ApiPropertyOptional({ example: 'Alice Liddell' })
  name?: string;

  @ApiPropertyOptional({ example: 'Alice' })
  given_name?: string;

  @ApiPropertyOptional({ example: 'Liddell' })
  family_name?: string;

  @ApiProperty({
    example: ['admin', 'user', 'orders-api:orders:read'],
    description: 'Realm roles, and client roles as client:role',
  })
  roles!: string[];

  [claim: string]: unknown;
}

export class ClaimsDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The verified access token claims',
  })
  claims!: Record<string, unknown>;

  @ApiProperty({ example: ['admin', 'user'] })
  roles!: string[];
}

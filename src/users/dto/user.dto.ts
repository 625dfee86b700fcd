import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class UserSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'wang' })
  username!: string;

  @ApiPropertyOptional({ example: 'wang@example.com' })
  email?: string;

  @ApiPropertyOptional({ example: '小明' })
  firstName?: string;

  @ApiPropertyOptional({ example: '王' })
  lastName?: string;

  @ApiProperty()
  enabled!: boolean;

  @ApiPropertyOptional()
  emailVerified?: boolean;

  @ApiPropertyOptional({ type: 'integer', description: 'Milliseconds since the epoch' })
  createdTimestamp?: number;
}

export class UserDto extends UserSummaryDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  attributes?: Record<string, string[]>;

  @ApiPropertyOptional({ type: [String], example: ['UPDATE_PASSWORD'] })
  requiredActions?: string[];

  @ApiPropertyOptional()
  totp?: boolean;

  @ApiPropertyOptional({ type: 'integer' })
  notBefore?: number;
}

export class UserPageDto {
  @ApiProperty({ type: [UserSummaryDto] })
  items!: UserSummaryDto[];

  @ApiProperty({
    type: 'integer',
    description: 'Users matching the filters, from Keycloak /users/count',
  })
  total!: number;

  @ApiProperty({ type: 'integer' })
  first!: number;

  @ApiProperty({ type: 'integer' })
  max!: number;
}

export class FullNameDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '王 小明',
    description: 'lastName + " " + firstName',
  })
  fullName!: string | null;
}

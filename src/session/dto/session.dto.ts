import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class SessionUserDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The ID token's user claims (sub, preferred_username, email, …)",
    example: { sub: '5d0c6f3e-…', preferred_username: 'alice', email: 'alice@example.com' },
  })
  claims!: Record<string, unknown>;
}

export class SessionDto {
  @ApiProperty({ type: Boolean, enum: [true], example: true })
  authenticated!: true;

  @ApiProperty({ type: SessionUserDto })
  user!: SessionUserDto;

  @ApiProperty({ example: ['admin', 'user', 'orders-api:orders:read'] })
  roles!: string[];

  @ApiProperty({
    format: 'date-time',
    description: 'When the session ends unless it is used again (ISO 8601)',
  })
  expiresAt!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    description: "Keycloak's end-session URL for RP-initiated logout (no token in it)",
    nullable: true,
  })
  logoutUrl!: string | null;
}

export class LogoutResultDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    description:
      "Navigate here to clear Keycloak's cookies in the browser too; Keycloak redirects to post_logout_redirect_uri (client_id, never id_token_hint: no token reaches the browser)",
    nullable: true,
  })
  logoutUrl!: string | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class SessionUserDto {
  @ApiProperty({ description: "The ID token's user claims (sub, preferred_username, email, …)" })
  claims!: Record<string, unknown>;
}

export class SessionDto {
  @ApiProperty({ example: true })
  authenticated!: true;

  @ApiProperty({ type: SessionUserDto })
  user!: SessionUserDto;

  @ApiProperty({ example: ['admin', 'user', 'orders-api:orders:read'] })
  roles!: string[];

  @ApiProperty({ description: 'When the session ends unless it is used again (ISO 8601)' })
  expiresAt!: string;

  @ApiPropertyOptional({
    description: "Keycloak's end-session URL for RP-initiated logout (no token in it)",
    nullable: true,
  })
  logoutUrl!: string | null;
}

export class LogoutResultDto {
  @ApiPropertyOptional({
    description:
      "Navigate here to clear Keycloak's cookies in the browser too; Keycloak redirects to post_logout_redirect_uri (client_id, never id_token_hint: no token reaches the browser)",
    nullable: true,
  })
  logoutUrl!: string | null;
}

import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'username' })
  field!: string;

  @ApiProperty({ example: 'username should not be empty' })
  message!: string;
}

class UpstreamDto {
  @ApiPropertyOptional({ example: 400 })
  status?: number;

  @ApiPropertyOptional({ example: 'invalid_grant' })
  error?: string;

  @ApiPropertyOptional({ example: 'Invalid user credentials' })
  error_description?: string;
}

/**
 * The `application/problem+json` body every error response carries (RFC 9457). Members beyond
 * these are extension members (§3.2) a code may add; the document gives each code its own
 * schema (`Problem_<CODE>`, built from the error tables in src/docs/openapi-document.ts).
 */
export class ProblemDto {
  @ApiProperty({ example: 'urn:keycloak-bff:problem:session-missing' })
  type!: string;

  @ApiProperty({ example: 'No session' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 401 })
  status!: number;

  @ApiProperty({ example: 'No session cookie was sent' })
  detail!: string;

  @ApiProperty({ example: 'SESSION_MISSING', description: 'Stable upper-snake error code' })
  code!: string;

  @ApiPropertyOptional({ example: 'Log in through GET /auth/login.' })
  hint?: string;

  @ApiPropertyOptional({ type: UpstreamDto })
  upstream?: UpstreamDto;

  @ApiProperty({ example: '5f0c6f3e-8d4e-4b8e-9d55-0a4c1e2b7c11' })
  requestId!: string;

  @ApiPropertyOptional({
    example: '/auth/session',
    description:
      'The path of the request; absent when the request could not be parsed (answered on the socket)',
  })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'VALIDATION_FAILED: each bad field' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({
    type: [String],
    example: ['admin'],
    description: 'FORBIDDEN_ROLE: the roles of which the caller needs one',
  })
  requiredRoles?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    example: 60,
    description: 'RATE_LIMITED: seconds until a retry can succeed (also the Retry-After header)',
  })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({
    example: 'audience-required',
    description: "TOKEN_EXCHANGE_FORBIDDEN: the BFF's rule that refused the exchange",
  })
  rule?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'GET /health/ready: the result of each readiness check',
  })
  checks?: Record<string, unknown>;
}

/** The schema of the problems a status stands for; src/docs/openapi-document.ts defines it. */
export const problemStatusSchemaName = (status: number): string => `ProblemStatus${status}`;

/**
 * Documents problem+json responses for the given statuses (500 is always added). Each points at
 * the status's schema, a oneOf over the codes of that status with an example each, which the
 * document builder generates from the error tables; every other error falls under `default`.
 */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 500])].sort((a, b) => a - b);
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...all.map((status) =>
      ApiResponse({
        status,
        description: `HTTP ${status}`,
        content: {
          'application/problem+json': {
            schema: { $ref: `#/components/schemas/${problemStatusSchemaName(status)}` },
          },
        },
      }),
    ),
  );
}

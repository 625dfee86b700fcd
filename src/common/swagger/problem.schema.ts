import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

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

/** The `application/problem+json` body every error response carries (RFC 9457). */
export class ProblemDto {
  @ApiProperty({ example: 'urn:keycloak-bff:problem:idp-unavailable' })
  type!: string;

  @ApiProperty({ example: 'Identity provider unavailable' })
  title!: string;

  @ApiProperty({ example: 503 })
  status!: number;

  @ApiProperty({ example: 'Keycloak could not be reached: connect ECONNREFUSED' })
  detail!: string;

  @ApiProperty({ example: 'IDP_UNAVAILABLE', description: 'Stable upper-snake error code' })
  code!: string;

  @ApiPropertyOptional({ example: 'Check KEYCLOAK_URL and that Keycloak is running' })
  hint?: string;

  @ApiPropertyOptional({ type: UpstreamDto })
  upstream?: UpstreamDto;

  @ApiProperty({ example: '5f0c6f3e-8d4e-4b8e-9d55-0a4c1e2b7c11' })
  requestId!: string;

  @ApiProperty({ example: '/auth/login' })
  instance!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Only for VALIDATION_FAILED' })
  errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED or another client error',
  401: 'Missing or rejected credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found',
  409: 'Conflicts with existing state (e.g. ACCOUNT_EXISTS)',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  500: 'INTERNAL',
  502: 'Keycloak answered in a way that points to a BFF or realm misconfiguration',
  503: 'IDP_UNAVAILABLE: Keycloak could not be reached',
  504: 'IDP_TIMEOUT: Keycloak did not answer in time',
};

/** Documents problem+json responses for the given statuses (500 is always added). */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 500])].sort((a, b) => a - b);
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...all.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? `HTTP ${status}`,
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

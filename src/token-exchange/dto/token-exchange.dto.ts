import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';

const URN = 'urn:ietf:params:oauth:token-type:';

/** Token types a caller may ask for, short or as RFC 8693 URNs. */
export const REQUESTED_TOKEN_TYPES = ['access_token', 'refresh_token', 'id_token'] as const;
/** Types an external subject token may have (Keycloak validates a JWT or asks userinfo). */
export const SUBJECT_TOKEN_TYPES = ['access_token', 'id_token', 'jwt'] as const;

const withUrns = (names: readonly string[]): string[] => [
  ...names,
  ...names.map((name) => `${URN}${name}`),
];

/** `refresh_token` → its URN; a URN stays as it is. */
export const toTokenTypeUrn = (type: string): string =>
  type.startsWith(URN) ? type : `${URN}${type}`;

const CLIENT_ID = /^[\w.:-]{1,255}$/;
const ALIAS = /^[\w.-]{1,255}$/;
const SCOPE = /^[\w:./-]+( [\w:./-]+)*$/;

export class TokenExchangeDto {
  @ApiPropertyOptional({
    description:
      'Client id(s) the new token is for; each must be in TOKEN_EXCHANGE_AUDIENCES. A single string or an array.',
    example: ['orders-api'],
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray({ message: 'audience must be a client id or an array of client ids' })
  @ArrayMinSize(1, { message: 'audience must not be empty' })
  @ArrayMaxSize(10, { message: 'audience must list at most 10 client ids' })
  @Matches(CLIENT_ID, { each: true, message: 'audience must contain client ids only' })
  audience?: string[];

  @ApiPropertyOptional({ description: 'Narrower scope for the new token', example: 'openid' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(SCOPE, { message: 'scope must be scope names separated by single spaces' })
  scope?: string;

  @ApiPropertyOptional({
    description: 'access_token (default), refresh_token or id_token, short or as URN',
    example: 'access_token',
  })
  @IsOptional()
  @IsIn(withUrns(REQUESTED_TOKEN_TYPES), {
    message: `requested_token_type must be one of ${REQUESTED_TOKEN_TYPES.join(', ')} (or their urn:ietf:params:oauth:token-type: URNs)`,
  })
  requested_token_type?: string;

  @ApiPropertyOptional({
    description:
      'Impersonation (legacy token exchange): username or id of the user the new token is for. Needs TOKEN_EXCHANGE_IMPERSONATION_ENABLED and the impersonator role.',
    example: 'bob',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  requested_subject?: string;

  @ApiPropertyOptional({
    description:
      'External token in (legacy token exchange): the identity-provider alias that issued subject_token. Needs TOKEN_EXCHANGE_EXTERNAL_ISSUERS.',
    example: 'partner',
  })
  @ValidateIf(
    (o: TokenExchangeDto) => o.subject_issuer !== undefined || o.subject_token !== undefined,
  )
  @IsString({ message: 'subject_issuer is required with subject_token' })
  @Matches(ALIAS, { message: 'subject_issuer must be an identity-provider alias' })
  subject_issuer?: string;

  @ApiPropertyOptional({
    description:
      "External token in: a token issued by subject_issuer. Without it, the caller's own bearer token is the subject token.",
  })
  @ValidateIf(
    (o: TokenExchangeDto) => o.subject_issuer !== undefined || o.subject_token !== undefined,
  )
  @IsString({ message: 'subject_token is required with subject_issuer' })
  @IsNotEmpty({ message: 'subject_token is required with subject_issuer' })
  @MaxLength(16_384)
  subject_token?: string;

  @ApiPropertyOptional({
    description: 'Type of the external subject_token: access_token (default), id_token or jwt',
    example: 'access_token',
  })
  @IsOptional()
  @IsIn(withUrns(SUBJECT_TOKEN_TYPES), {
    message: `subject_token_type must be one of ${SUBJECT_TOKEN_TYPES.join(', ')} (or their URNs)`,
  })
  subject_token_type?: string;

  @ApiPropertyOptional({
    description:
      'External token out (legacy token exchange): the identity-provider alias whose token is wanted. Needs TOKEN_EXCHANGE_EXTERNAL_ISSUERS.',
    example: 'partner',
  })
  @IsOptional()
  @IsString()
  @Matches(ALIAS, { message: 'requested_issuer must be an identity-provider alias' })
  requested_issuer?: string;
}

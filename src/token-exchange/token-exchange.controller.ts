import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { BearerOptionalWhen } from '../auth/decorators/bearer-optional-when.decorator';
import { OptionalCurrentUser } from '../auth/decorators/current-user.decorator';
import { ApiProblemResponses } from '../common/swagger/problem.schema';
import { TokenExchangeDto } from './dto/token-exchange.dto';
import { TokenExchangeResponseDto } from './dto/token-exchange-response.dto';
import { TokenExchangeService } from './token-exchange.service';

// An external token is its own credential: a partner's user has no token of our realm yet.
const carriesExternalToken = (request: FastifyRequest): boolean => {
  const body = request.body;
  return typeof body === 'object' && body !== null && 'subject_token' in body;
};

@ApiTags('token-exchange')
@Controller('token-exchange')
export class TokenExchangeController {
  constructor(private readonly exchange: TokenExchangeService) {}

  @Post()
  @HttpCode(200)
  @Authenticated()
  @BearerOptionalWhen(carriesExternalToken)
  @ApiOperation({
    summary:
      "RFC 8693 token exchange: the caller's token (or an external one) for a narrower token",
    description:
      "Without subject_token, the caller's bearer token is the subject token. Audiences must be in TOKEN_EXCHANGE_AUDIENCES; requested_subject needs TOKEN_EXCHANGE_IMPERSONATION_ENABLED and the impersonator role; subject_issuer / requested_issuer need TOKEN_EXCHANGE_EXTERNAL_ISSUERS.",
  })
  // The first example is what Swagger UI pre-fills: one that works with the demo realm as it
  // ships (TOKEN_EXCHANGE_AUDIENCES=orders-api), not a mix of every member's example.
  @ApiBody({
    type: TokenExchangeDto,
    examples: {
      audience: {
        summary: 'A token for orders-api (standard token exchange)',
        value: { audience: ['orders-api'] },
      },
      narrower: {
        summary: 'A narrower scope for orders-api',
        value: { audience: 'orders-api', scope: 'openid' },
      },
      impersonation: {
        summary: 'Impersonation (needs TOKEN_EXCHANGE_IMPERSONATION_ENABLED)',
        value: { requested_subject: 'bob' },
      },
    },
  })
  @ApiOkResponse({ type: TokenExchangeResponseDto })
  @ApiProblemResponses(400, 403, 409, 502, 504)
  exchangeToken(
    @OptionalCurrentUser() user: AuthenticatedUser | undefined,
    @Body() body: TokenExchangeDto,
  ): Promise<TokenExchangeResponseDto> {
    return this.exchange.exchange(user, body);
  }
}

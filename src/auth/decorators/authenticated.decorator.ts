import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../common/swagger/problem.schema';
import { BEARER_SCHEME } from '../../docs/security-schemes';

/** Documents a route behind the global JWT guard (the guard itself needs no decorator). */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiBearerAuth(BEARER_SCHEME), ApiProblemResponses(401, 503));

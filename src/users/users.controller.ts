import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ValidationFailedError } from '../common/errors/http-errors';
import { ApiProblemResponses } from '../common/swagger/problem.schema';
import { AdminOnly } from './decorators/admin-only.decorator';
import { ListUsersQuery } from './dto/list-users.query';
import { FullNameDto, UserDto, UserPageDto } from './dto/user.dto';
import { UsersService } from './users.service';

// A malformed id is the caller's mistake: answer it here rather than ask Keycloak.
const UserId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ValidationFailedError([{ field: 'id', message: 'id must be a UUID' }]),
});

@ApiTags('users')
@AdminOnly()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({
    summary: 'Users of the realm, a page at a time, with the total for the same filters',
  })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblemResponses(400)
  list(@Query() query: ListUsersQuery): Promise<UserPageDto> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: "One user's representation" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblemResponses(400, 404)
  get(@Param('id', UserId) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Get(':id/full-name')
  @ApiOperation({ summary: 'lastName + " " + firstName (family name first)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: FullNameDto })
  @ApiProblemResponses(400, 404)
  fullName(@Param('id', UserId) id: string): Promise<FullNameDto> {
    return this.users.fullName(id);
  }
}

import { Module } from '@nestjs/common';
import { AdminRoleGuard } from './guards/admin-role.guard';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, AdminRoleGuard],
})
export class UsersModule {}

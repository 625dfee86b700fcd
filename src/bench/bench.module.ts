import { Controller, Get, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/decorators/public.decorator';

const body = { ok: true };

/**
 * The same trivial handler behind the JWT guard and @Public(), so `npm run bench` can measure
 * what the guard costs. Mounted only with BENCH_ROUTES=true.
 */
@ApiExcludeController()
@Controller('bench')
class BenchController {
  @Get('guarded')
  guarded(): typeof body {
    return body;
  }

  @Get('public')
  @Public()
  public(): typeof body {
    return body;
  }
}

@Module({ controllers: [BenchController] })
export class BenchModule {}

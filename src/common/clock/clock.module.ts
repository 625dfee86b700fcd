import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';

/** The one clock of the app (and of `doctor`), injected as `Clock`. */
@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
export class ClockModule {}

import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ManualClock } from '../../../test/utils/manual-clock';
import { Clock, SystemClock } from './clock';
import { ClockModule } from './clock.module';

@Injectable()
class Stamp {
  constructor(readonly clock: Clock) {}
}

@Module({ imports: [ClockModule], providers: [Stamp] })
class StampModule {}

describe(SystemClock.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it("should tell the system's time in epoch milliseconds", () => {
    jest.useFakeTimers({ now: 1_700_000_123_456 });
    const sut = new SystemClock();
    expect(sut.now()).toBe(1_700_000_123_456);
    jest.advanceTimersByTime(1_000);
    expect(sut.now()).toBe(1_700_000_124_456);
  });
});

describe(ClockModule.name, () => {
  it('should inject the system clock wherever Clock is asked for', async () => {
    const sut = await Test.createTestingModule({ imports: [StampModule] }).compile();
    expect(sut.get(Stamp).clock).toBeInstanceOf(SystemClock);
    expect(sut.get(Clock)).toBe(sut.get(Stamp).clock);
  });

  it('should let a test replace the one clock for every consumer', async () => {
    const manual = new ManualClock(5_000);
    const sut = await Test.createTestingModule({ imports: [StampModule] })
      .overrideProvider(Clock)
      .useValue(manual)
      .compile();
    manual.advance(250);
    expect(sut.get(Stamp).clock.now()).toBe(5_250);
  });
});

import { Clock } from '../../src/common/clock/clock';

/** A clock that moves only when told: unit tests inject it where the app injects SystemClock. */
export class ManualClock extends Clock {
  constructor(private time = 1_700_000_000_000) {
    super();
  }

  now(): number {
    return this.time;
  }

  /** Moves time forward; returns the new time. */
  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }
}

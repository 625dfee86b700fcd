/**
 * What time it is, in epoch milliseconds. Whatever compares against "now" (expiries, leases,
 * cooldowns, cache lifetimes) has the clock injected, so that a test moves time by telling its
 * clock, not by overwriting a public field of the object under test.
 */
export abstract class Clock {
  abstract now(): number;
}

/** The real time. */
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

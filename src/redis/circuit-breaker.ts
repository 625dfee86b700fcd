import type { Clock } from '../common/clock/clock';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Failures in a row that open the circuit. */
  failures: number;
  /** How long an open circuit refuses calls before one call may probe. */
  cooldownMs: number;
}

/** A call refused without being tried: the circuit is open. */
export class CircuitOpenError extends Error {
  constructor(
    readonly circuit: string,
    /** When a call may be tried again, at the earliest. */
    readonly retryInMs: number,
  ) {
    super(`${circuit} failed repeatedly: not tried for the next ${retryInMs} ms (circuit open)`);
    this.name = CircuitOpenError.name;
  }
}

export type CircuitListener = (state: CircuitState, cause?: unknown) => void;

/**
 * A small circuit breaker (closed → open → half-open → closed). Closed, every call runs;
 * `failures` failures in a row open it. Open, calls fail at once with CircuitOpenError for
 * `cooldownMs`. Then it is half-open: the next call runs as the probe while the others still fail
 * at once; the probe's success closes the circuit, its failure opens it for another cool-down.
 *
 * Hand-written: the maintained libraries (cockatiel 4, opossum 10) need Node 22 (cockatiel 4 is
 * ESM only) and this service runs on Node 20 as CommonJS; what is needed fits in this file, on
 * the injected Clock like every other time rule here.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failuresInARow = 0;
  private openedAt = 0;
  private probing = false;
  private readonly listeners: CircuitListener[] = [];

  constructor(
    private readonly name: string,
    private readonly options: CircuitOptions,
    private readonly clock: Clock,
    /** Which errors say the dependency is unavailable; others (its own refusals) do not count. */
    private readonly isFailure: (err: unknown) => boolean = () => true,
  ) {}

  get current(): CircuitState {
    return this.state;
  }

  /** Told of every change of state (a log line, later a metric), with the failure that opened it. */
  onStateChange(listener: CircuitListener): void {
    this.listeners.push(listener);
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const probe = this.admit();
    try {
      const value = await call();
      this.succeeded();
      return value;
    } catch (err: unknown) {
      if (this.isFailure(err)) {
        this.failed(err);
      } else {
        this.succeeded();
      }
      throw err;
    } finally {
      if (probe) {
        this.probing = false;
      }
    }
  }

  /** Lets a call through or refuses it; true when the call is the half-open probe. */
  private admit(): boolean {
    if (this.state === 'closed') {
      return false;
    }
    const waited = this.clock.now() - this.openedAt;
    if (this.state === 'open' && waited >= this.options.cooldownMs) {
      this.change('half-open');
    }
    if (this.state === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    throw new CircuitOpenError(this.name, Math.max(0, this.options.cooldownMs - waited));
  }

  private succeeded(): void {
    this.failuresInARow = 0;
    if (this.state !== 'closed') {
      this.change('closed');
    }
  }

  private failed(err: unknown): void {
    this.failuresInARow++;
    if (this.state === 'half-open' || this.failuresInARow >= this.options.failures) {
      this.openedAt = this.clock.now();
      // Late failures of calls let through before it opened extend the cool-down, quietly.
      if (this.state !== 'open') {
        this.change('open', err);
      }
    }
  }

  private change(state: CircuitState, cause?: unknown): void {
    this.state = state;
    for (const listener of this.listeners) {
      listener(state, cause);
    }
  }
}

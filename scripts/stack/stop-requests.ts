import { watchAncestors } from './parent-watch';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A terminal's Ctrl-C reaches npm and us at once, and npm forwards its copy: one key press can
 * arrive twice within milliseconds. Only a signal later than this counts as "stop now".
 */
const REPEAT_AFTER_MS = 1000;

/**
 * Every way the stack can be asked to end, as one AbortSignal: SIGINT (Ctrl-C, or an IDE's stop
 * button without a terminal), SIGTERM (process runners), SIGHUP (the terminal closed), and the
 * death of any process that started it (watchAncestors). A second signal, a second or more
 * later, stops at once: the process-group guards then end what is still running.
 */
export class StopRequests {
  private readonly controller = new AbortController();
  private readonly unwatch: () => void;
  private firstAt = 0;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.controller.signal.aborted) {
      if (Date.now() - this.firstAt >= REPEAT_AFTER_MS) {
        this.log(`${signal} again: stopping now`);
        process.exit(130);
      }
      return;
    }
    this.request(`${signal} received`);
  };

  constructor(private readonly log: (line: string) => void) {
    for (const signal of STOP_SIGNALS) {
      process.on(signal, this.onSignal);
    }
    this.unwatch = watchAncestors((pid) =>
      this.request(`process ${pid}, which started us, is gone`),
    );
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Resolves with the reason once a stop is requested. */
  requested(): Promise<string> {
    const signal = this.controller.signal;
    return signal.aborted
      ? Promise.resolve(String(signal.reason))
      : new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true }),
        );
  }

  /** The first request stops the stack in order; later ones (but signals, above) change nothing. */
  request(reason: string): void {
    if (this.controller.signal.aborted) {
      return;
    }
    this.firstAt = Date.now();
    this.log(`${reason}: stopping the stack`);
    this.controller.abort(reason);
  }

  dispose(): void {
    this.unwatch();
    for (const signal of STOP_SIGNALS) {
      process.off(signal, this.onSignal);
    }
  }
}

import type { PortClaim } from '../keycloak/ports';
import type { RunningKeycloak } from '../keycloak/types';
import type { StackOptions } from './options';

/** What the services of one stack run share. */
export interface StackContext {
  options: StackOptions;
  /** Aborted when the stack is asked to stop (a signal, or the process that started it died). */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Set once Keycloak runs, for the services started after it. */
  keycloak?: RunningKeycloak;
  /** Set once orders-api runs: the routes file (API_ROUTES_FILE) that mounts it in the BFF. */
  routesFile?: string;
}

export interface RunningService {
  /** Lines of the ready banner: where to reach it, where its log is. */
  banner: string[];
  /** Resolves with a description (exit code or signal) if it ends without being asked to. */
  exited: Promise<string>;
  /** Ends it and everything it started; safe to call once it has ended. */
  stop(): Promise<void>;
}

/**
 * One part of the distribution stack. The stack checks every service's ports before anything
 * starts, runs every `prepare` at once (the BFF's build overlaps Keycloak's start), starts the
 * services in order and stops them in reverse.
 *
 * Extension point: when the demo SPA lands, it is one more
 * StackService in `stackServices()` (stack-services.ts), with its port in options.ts'
 * PORT_OPTIONS, so `npm run stack` shows the whole BFF.
 */
export interface StackService {
  name: string;
  ports(ctx: StackContext): PortClaim[];
  prepare?(ctx: StackContext): Promise<void>;
  start(ctx: StackContext): Promise<RunningService>;
}

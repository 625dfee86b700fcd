import type { IncomingMessage, Server } from 'node:http';
import { tracingState } from './route-names';

/** W3C Trace Context §3.2: version 00, trace id, parent id, flags; bit 0 of flags is "sampled". */
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-([\da-f]{2})$/;

type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Whether a request is traced under parentbased_traceidratio: a `traceparent` decides when it
 * carries one (sampled flag set: yes; clear: no), otherwise a draw at `ratio`.
 */
export function sampledAtGate(req: IncomingMessage, ratio: number, draw = Math.random): boolean {
  const header = req.headers.traceparent;
  const flags = typeof header === 'string' ? TRACEPARENT.exec(header.trim())?.[1] : undefined;
  if (flags !== undefined) {
    return (Number.parseInt(flags, 16) & 1) === 1;
  }
  return draw() < ratio;
}

/**
 * With OTEL_TRACES_SAMPLER=parentbased_traceidratio, takes the sampling decision before the
 * HTTP instrumentation sees the request: a request that will not be traced goes straight to
 * the server's uninstrumented `emit`. The instrumentation's per-request work (extracting the
 * context, the span's attributes, binding the request's and response's emitters) costs the
 * same whether the span is sampled or not, and at 10 % sampling nine requests in ten paid it for
 * nothing (docs/observability.md#cost). The tracer's own sampler is then parent-based
 * always-on, so a request let through is traced once, not drawn twice. A request the gate
 * turns away starts no span: its calls to Keycloak carry no `traceparent`, its log lines no
 * trace id, as with any unsampled request whose parent said "not sampled".
 */
export function installSamplingGate(server: Server): void {
  const ratio = tracingState.gateRatio;
  if (!tracingState.active || ratio === undefined) {
    return;
  }
  const instrumented = server.emit as Emit & { __original?: Emit };
  const original = instrumented.__original;
  if (original === undefined) {
    // Not wrapped (the instrumentation did not load before http): nothing to bypass.
    return;
  }
  server.emit = function gatedEmit(this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request' && !sampledAtGate(args[0] as IncomingMessage, ratio)) {
      return original.call(this, event, ...args);
    }
    return instrumented.call(this, event, ...args);
  } as Server['emit'];
}

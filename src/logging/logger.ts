import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from '../config/app.config';
import { redact } from './redact';

/**
 * The process's one pino logger; Fastify's request logs and Nest's logs both go through it, so
 * redaction applies to every line.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'keycloak-bff' },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    // A line logged inside a traced request names its trace and span (W3C Trace Context ids), so
    // logs and traces join up. Without tracing there is no active span and nothing is added.
    mixin: traceIds,
    formatters: {
      level: (label) => ({ level: label }),
      // pino runs this before the serializers: req and res are left to theirs (they pick only
      // safe fields, and copying them here would lose the request's getters).
      log: ({ req, res, ...rest }) => ({
        ...(redact(rest) as Record<string, unknown>),
        ...(req === undefined ? {} : { req }),
        ...(res === undefined ? {} : { res }),
      }),
    },
    serializers: {
      // Errors are shaped by redact(); pino's own serializer would drop our cause chain.
      err: (err: unknown) => err,
      req: (req: { id?: unknown; method?: string; url?: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url?.split('?', 1)[0],
        ip: req.ip,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
  // pino's default destination (stdout) flushes on exit; tests pass their own stream.
  return destination ? pino(options, destination) : pino(options);
}

/** The active span's ids, for the log line being written; {} outside a traced request. */
export function traceIds(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (context === undefined || !isSpanContextValid(context)) {
    return {};
  }
  return { trace_id: context.traceId, span_id: context.spanId };
}

import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/app.config';
import { redact } from './redact';

/**
 * The process's one pino logger; Fastify's request logs and Nest's logs both go through it, so
 * redaction applies to every line.
 */
export function createRootLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'keycloak-bff' },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (record) => redact(record) as Record<string, unknown>,
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
  });
}

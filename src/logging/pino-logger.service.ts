import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

type NestLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

const PINO_LEVEL: Record<NestLevel, Level> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
};

/**
 * Nest's `Logger` calls land here. Nest passes `(message, ...params, context)`; an object message
 * is logged as structured fields.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: NestLevel, message: unknown, params: unknown[]): void {
    const pinoLevel = PINO_LEVEL[level];
    if (!this.root.isLevelEnabled(pinoLevel)) {
      return;
    }
    const rest = [...params];
    // Nest appends the context (the class name) as the last string parameter.
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    // Nest's Logger.error(message, stack, context) form.
    const stack = level === 'error' && typeof rest[0] === 'string' ? rest.shift() : undefined;
    if (stack !== undefined) {
      fields.stack = stack;
    }
    if (message instanceof Error) {
      this.root[pinoLevel]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      const { msg, ...structured } = message as Record<string, unknown>;
      this.root[pinoLevel]({ ...fields, ...structured }, typeof msg === 'string' ? msg : undefined);
    } else {
      this.root[pinoLevel](fields, String(message));
    }
  }
}

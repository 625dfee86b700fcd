import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { startDraining } from './common/http/drain';

/**
 * SIGTERM/SIGINT: drain for `drainMs` (answers say `Connection: close`, so keep-alive clients
 * leave before their idle sockets are closed), stop accepting requests, let in-flight ones
 * finish, run shutdown hooks, then exit 0. Nest's own enableShutdownHooks re-raises the signal
 * afterwards, which kills the process before pino's buffered lines reach stdout; process.exit
 * lets pino flush.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: Logger,
  timeoutMs: number,
  drainMs = 0,
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    startDraining(app.getHttpAdapter().getInstance() as FastifyInstance);
    new Promise((resolve) => setTimeout(resolve, drainMs))
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

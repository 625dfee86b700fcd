import { readConfig } from './config';
import { buildApp } from './app';
import { JwksKeySource, TokenVerifier } from './token-verifier';

/**
 * orders-api: `tsx examples/orders-api/main.ts` (or `npm run orders-api`). Configuration errors
 * print one line each and exit 1; SIGTERM/SIGINT close the server and exit 0.
 */
async function main(): Promise<void> {
  const { config, errors } = readConfig(process.env);
  if (errors) {
    for (const line of errors) {
      process.stderr.write(`orders-api: configuration error: ${line}\n`);
    }
    process.exit(1);
  }

  const verifier = new TokenVerifier(new JwksKeySource(config.jwksUri), {
    issuer: config.issuer,
    audience: config.audience,
    soleAudience: config.soleAudience,
  });
  const app = buildApp(config, verifier, {
    level: config.logLevel,
    base: { service: 'orders-api' },
  });

  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      app.log.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.close().then(
      () => {
        app.log.info('orders-api stopped');
        process.exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err: unknown) {
    app.log.fatal({ err }, 'orders-api failed to start');
    process.exit(1);
  }
  app.log.info(
    { issuer: config.issuer, audience: config.audience, soleAudience: config.soleAudience },
    'orders-api ready',
  );
}

void main();

/**
 * `npm run stack`: the whole local stack in one command (docs/local-stack.md). docker compose
 * when a Docker engine and Compose v2 answer; otherwise Keycloak from the Maven distribution
 * and the BFF as a local process. Every way it ends stops what it started: see StopRequests
 * (signals, the death of whatever started it) and guardProcessGroup (our own death).
 *
 * package.json runs this as `exec node --import tsx scripts/stack.ts`: `exec` and the in-process
 * loader leave no shell or tsx process between npm and us to swallow a signal.
 */
import { dockerAvailable } from './keycloak/docker';
import { PortsTakenError } from './keycloak/ports';
import { composeV2Available, chooseStackMode } from './stack/mode';
import { parseStackOptions, StackOptionsError, USAGE } from './stack/options';
import { runComposeStack } from './stack/run-compose';
import { runDistributionStack } from './stack/run-distribution';
import { stackServices } from './stack/stack-services';
import { StopRequests } from './stack/stop-requests';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<number> {
  // A closed terminal or a dead parent's pipe must not crash us before we have stopped
  // everything: writes then fail with EIO or EPIPE, and are dropped.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);

  const options = parseStackOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stops = new StopRequests(log);
  try {
    const { mode, why } = await chooseStackMode({
      keycloakUrl: process.env.KEYCLOAK_URL,
      harness: process.env.KEYCLOAK_HARNESS,
      session: options.session,
      dockerEngine: () => dockerAvailable(),
      composeV2: composeV2Available,
    });
    log(`npm run stack: ${why}`);
    return mode === 'compose'
      ? await runComposeStack(options, stops, log)
      : await runDistributionStack(stackServices(), options, stops, log);
  } finally {
    stops.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StackOptionsError || err instanceof PortsTakenError) {
      for (const line of err.lines) {
        log(`npm run stack: ${line}`);
      }
      if (err instanceof StackOptionsError) {
        log('npm run stack -- --help lists the options.');
      }
    } else {
      log(`npm run stack: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.exit(1);
  },
);

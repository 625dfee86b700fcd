import { assertPortsFree } from '../keycloak/ports';
import type { StackOptions } from './options';
import type { RunningService, StackContext, StackService } from './service';
import type { StopRequests } from './stop-requests';

/**
 * Starts the services in order, prints where everything is, and waits for a stop request or
 * for a service to end on its own; then stops what runs, in reverse. Resolves with the exit
 * code: 0 when asked to stop, 1 when something failed or ended by itself.
 */
export async function runDistributionStack(
  services: StackService[],
  options: StackOptions,
  stops: StopRequests,
  log: (line: string) => void,
): Promise<number> {
  const ctx: StackContext = { options, signal: stops.signal, log };
  await assertPortsFree(services.flatMap((s) => s.ports(ctx)));

  const running: RunningService[] = [];
  let code = 0;
  // Every prepare at once (the BFF's build while Keycloak starts); a failed one stops the start.
  let failed = false;
  const prepared = services.map((s) => (s.prepare ? s.prepare(ctx) : Promise.resolve()));
  for (const p of prepared) {
    p.catch((err: unknown) => {
      if (!stops.signal.aborted) {
        failed = true;
        stops.request(`the start failed (${message(err)})`);
      }
    });
  }
  try {
    for (const [i, service] of services.entries()) {
      await prepared[i];
      running.push(await service.start(ctx));
    }
    log(
      ['', 'The stack is ready:', ...running.flatMap((r) => r.banner.map((l) => `  ${l}`))].join(
        '\n',
      ) + '\n  Ctrl-C stops everything.\n',
    );
    const ended = await Promise.race([
      stops.requested().then(() => undefined),
      ...running.map((r) => r.exited),
    ]);
    if (ended !== undefined) {
      log(`${ended} on its own: stopping the stack`);
      code = 1;
    }
  } catch (err) {
    // After a stop request, what failed was the start being cut short: not worth a word.
    if (failed || !stops.signal.aborted) {
      log(`The stack could not start: ${message(err)}`);
      code = 1;
    }
  }
  await Promise.allSettled(prepared);
  for (const service of running.reverse()) {
    await service.stop();
  }
  log('The stack has stopped.');
  return code;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import { spawn } from 'node:child_process';
import { assertPortsFree } from '../keycloak/ports';
import { guardProcessGroup, killGroup } from '../keycloak/process-group';
import { REPO_ROOT } from '../keycloak/version';
import { proxyTryLines } from './bff-service';
import { type StackOptions, portOptionHint } from './options';
import type { StopRequests } from './stop-requests';

/**
 * `docker compose up --build` with the stack's ports (docker-compose.yml interpolates BFF_PORT,
 * KEYCLOAK_PORT and ORDERS_API_PORT), in its own process group so that a stop request, whatever
 * its kind, reaches it once, as SIGTERM: compose then stops the containers. A guard sends the same
 * SIGTERM if this process dies first (30 s before SIGKILL: compose stops containers one by one).
 */
export async function runComposeStack(
  options: StackOptions,
  stops: StopRequests,
  log: (line: string) => void,
): Promise<number> {
  await assertPortsFree([
    { port: options.port, what: 'the BFF', option: portOptionHint('port') },
    { port: options.keycloakPort, what: 'Keycloak', option: portOptionHint('keycloakPort') },
    {
      port: options.ordersApiPort,
      what: 'orders-api',
      option: portOptionHint('ordersApiPort'),
    },
  ]);
  log(
    `Keycloak will be at http://127.0.0.1:${options.keycloakPort} and the BFF at ` +
      `http://127.0.0.1:${options.port} (orders-api at http://127.0.0.1:${options.port}/api/orders, ` +
      `and itself at http://127.0.0.1:${options.ordersApiPort}) once docker compose reports them ` +
      'healthy.',
  );
  // Compose runs the BFF in bearer mode (--session always takes the distribution way).
  log(proxyTryLines({ options }).join('\n'));
  const child = spawn('docker', ['compose', 'up', '--build'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      BFF_PORT: String(options.port),
      KEYCLOAK_PORT: String(options.keycloakPort),
      ORDERS_API_PORT: String(options.ordersApiPort),
    },
  });
  const pgid = child.pid;
  const guard = pgid === undefined ? undefined : guardProcessGroup(pgid, { graceS: 30 });
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  void stops.requested().then(() => {
    if (pgid !== undefined) {
      killGroup(pgid, 'SIGTERM');
    }
  });
  const code = await exited;
  guard?.release();
  return stops.signal.aborted ? 0 : code;
}

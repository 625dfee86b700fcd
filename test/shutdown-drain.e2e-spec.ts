import http from 'node:http';
import { freePort } from '../scripts/keycloak/distribution';
import { demoServiceEnv, runService, waitForLive } from './utils/service-process';

interface Client {
  answers: number;
  answersAfterSignal: number;
  toldToClose: boolean;
  errors: string[];
}

/**
 * A keep-alive client, as a load balancer's pool to this instance is: it reuses its connection
 * until an answer says `Connection: close`, then goes elsewhere (readiness is 503 by then).
 */
async function keepAliveClient(port: number, signalled: () => boolean): Promise<Client> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client: Client = { answers: 0, answersAfterSignal: 0, toldToClose: false, errors: [] };
  const deadline = Date.now() + 20_000;
  while (!client.toldToClose && client.errors.length === 0 && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/health/live', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          client.answers++;
          client.answersAfterSignal += signalled() ? 1 : 0;
          client.toldToClose = res.headers.connection === 'close';
          resolve();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        client.errors.push(
          `${err.code ?? err.message}${req.reusedSocket ? ' (reused socket)' : ''}`,
        );
        resolve();
      });
    });
  }
  agent.destroy();
  return client;
}

describe('Graceful shutdown with keep-alive clients', () => {
  it('should tell every keep-alive client Connection: close during the drain, so none sees ECONNRESET (built service)', async () => {
    const port = await freePort();
    const run = runService(demoServiceEnv(port, { SHUTDOWN_DRAIN_MS: '1500' }));
    try {
      await waitForLive(port, run);
      let signalled = false;
      const clients = Array.from({ length: 24 }, () => keepAliveClient(port, () => signalled));
      await new Promise((resolve) => setTimeout(resolve, 500));
      run.child.kill('SIGTERM');
      signalled = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      const results = await Promise.all(clients);
      process.stderr.write(
        `[shutdown-drain] ${results.length} keep-alive clients: ${results.reduce((n, c) => n + c.answers, 0)} answers, ${results.filter((c) => c.toldToClose).length} told Connection: close, errors: ${JSON.stringify(results.flatMap((c) => c.errors))}\n`,
      );
      expect(await run.exited).toBe(0);
      expect(ready.status).toBe(503);
      expect(results.flatMap((c) => c.errors)).toEqual([]);
      expect(results.map((c) => c.toldToClose)).toEqual(results.map(() => true));
      expect(results.every((c) => c.answersAfterSignal >= 1)).toBe(true);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

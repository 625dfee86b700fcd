import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/keycloak/ports';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/**
 * A Redis of the test's own (never the shared one at 6379): a `redis-server` child process on a
 * free port, without persistence, that the test can freeze (SIGSTOP: connections stay open and
 * nothing answers, as with a blackholed host), thaw, stop and start again on the same port.
 */
export interface RedisServer {
  readonly url: string;
  freeze(): void;
  thaw(): void;
  /** SIGTERM, and wait for the exit: connections are refused from then on. */
  stop(): Promise<void>;
  /** Again on the same port, once stopped. */
  start(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  // Whatever happens to the test, the server does not outlive it.
  const kill = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', kill);

  const signal = (name: NodeJS.Signals): void => {
    if (!child?.kill(name)) {
      throw new Error(`redis-server on ${port} is not running (${name})`);
    }
  };

  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    stop: async () => {
      const running = child;
      child = undefined;
      if (running && running.exitCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        // A frozen server must run again to act on SIGTERM.
        running.kill('SIGCONT');
        running.kill('SIGTERM');
        await exited;
      }
    },
    start: async () => {
      child = spawn(
        REDIS_SERVER,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await untilListening(port, child);
    },
  };
  await server.start();
  return server;
}

async function untilListening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode} (is ${REDIS_SERVER} installed?)`);
    }
    if (await accepts(port)) {
      return;
    }
    await sleep(20);
  }
  throw new Error(`redis-server did not listen on ${port} within 10 s`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../scripts/keycloak/distribution';
import { demoServiceEnv, runService, waitForLive } from './utils/service-process';

// Long enough that all slow clients are open at once before the first is cut.
const REQUEST_TIMEOUT_MS = 15_000;
const HEADERS_TIMEOUT_MS = 12_000;
/** Node checks the timeouts this often (TIMEOUT_CHECK_INTERVAL_MS), plus loaded-machine slack. */
const SLACK_MS = 500 + 4500;

/** Slow clients both sides can hold: each needs a descriptor here and one in the BFF. */
function connectionCount(): number {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  return Number.isFinite(limit) ? Math.min(5000, limit - 500) : 5000;
}

type Kind = 'unfinished body' | 'trickled body' | 'trickled headers';

interface Slow {
  kind: Kind;
  openedAt: number;
  closedAt?: number;
  answer: string;
}

const HEAD = 'POST /auth/login HTTP/1.1\r\nHost: bff.test\r\nContent-Type: application/json\r\n';

/** Opens one slow client; it never finishes its request, whatever the server waits for. */
function slowClient(port: number, kind: Kind): Promise<Slow> {
  return new Promise((resolve, reject) => {
    const slow: Slow = { kind, openedAt: 0, answer: '' };
    const socket = net.connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (slow.answer += data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      slow.closedAt = performance.now();
    });
    socket.once('connect', () => {
      slow.openedAt = performance.now();
      if (kind === 'trickled headers') {
        socket.write('GET /health/live HTTP/1.1\r\nHost: bff.test\r\n');
        timer = setInterval(() => socket.write(`X-Slow-${Date.now()}: 1\r\n`), 400);
      } else {
        socket.write(`${HEAD}Content-Length: 1000\r\n\r\n{"username":"`);
        if (kind === 'trickled body') {
          timer = setInterval(() => socket.write('a'), 400);
        }
      }
      resolve(slow);
    });
    socket.once('error', reject);
  });
}

async function liveLatency(port: number): Promise<number> {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/health/live`);
  await res.arrayBuffer();
  if (res.status !== 200) {
    throw new Error(`/health/live answered ${res.status}`);
  }
  return performance.now() - started;
}

const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe('Slow clients (built service)', () => {
  it('should cut thousands of slow or unfinished requests within the timeouts and keep answering others', async () => {
    const count = connectionCount();
    const port = await freePort();
    const run = runService(
      demoServiceEnv(port, {
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      }),
    );
    const pid = run.child.pid ?? 0;
    try {
      await waitForLive(port, run);
      const fdsBefore = openFds(pid);
      const started = performance.now();
      const kinds: Kind[] = [
        'unfinished body',
        'unfinished body',
        'trickled body',
        'trickled headers',
      ];
      const slow: Slow[] = [];
      let fdsHeld = fdsBefore;
      for (let i = 0; i < count; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) =>
          slowClient(port, kinds[(i + j) % kinds.length] as Kind),
        );
        slow.push(...(await Promise.all(batch)));
        fdsHeld = Math.max(fdsHeld, openFds(pid));
      }
      const opened = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 300));
      fdsHeld = Math.max(fdsHeld, openFds(pid));

      // Meanwhile, others are answered: a fresh client every 100 ms until all slow ones are cut.
      const latencies: number[] = [];
      const deadline = performance.now() + REQUEST_TIMEOUT_MS + SLACK_MS + opened;
      while (slow.some((s) => s.closedAt === undefined) && performance.now() < deadline) {
        latencies.push(await liveLatency(port));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const lived = slow.map((s) => (s.closedAt ?? Number.POSITIVE_INFINITY) - s.openedAt);
      const answered408 = slow.filter((s) => s.answer.startsWith('HTTP/1.1 408 ')).length;
      latencies.sort((a, b) => a - b);
      const summary = {
        slowClients: count,
        openedInMs: Math.round(opened),
        bffFdsBefore: fdsBefore,
        bffFdsHeld: fdsHeld,
        bffFdsAfter: openFds(pid),
        cut: lived.filter(Number.isFinite).length,
        answered408,
        longestLivedMs: Math.round(Math.max(...lived)),
        otherRequests: latencies.length,
        otherP50Ms: Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0),
        otherMaxMs: Math.round(latencies[latencies.length - 1] ?? 0),
      };
      process.stderr.write(`[slow-clients] ${JSON.stringify(summary)}\n`);

      expect(count).toBeGreaterThanOrEqual(1000);
      // Every slow client was held by the BFF, then cut by it, within the request timeout.
      expect(fdsHeld - fdsBefore).toBeGreaterThanOrEqual(count * 0.9);
      expect(summary.cut).toBe(count);
      expect(summary.longestLivedMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
      expect(answered408).toBe(count);
      expect(summary.bffFdsAfter).toBeLessThan(fdsBefore + 50);
      // And everyone else was answered all along.
      expect(latencies.length).toBeGreaterThan(5);
      expect(summary.otherMaxMs).toBeLessThan(2000);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const TICKS_PER_SECOND =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU time of a process, in microseconds (Linux /proc). */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat; [1] starts at field 3.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

export interface LoadResult {
  requests: number;
  rps: number;
  /** Median latency, ms. */
  p50Ms: number;
  non2xx: number;
  errors: number;
  cpuMicrosPerRequest: number;
}

/** One autocannon run; CPU is the target process's, measured around the run. */
export async function load(options: autocannon.Options & { pid?: number }): Promise<LoadResult> {
  const before = options.pid ? cpuMicros(options.pid) : 0;
  const result = await autocannon({ connections: 16, ...options });
  const after = options.pid ? cpuMicros(options.pid) : 0;
  const requests = result.requests.total;
  return {
    requests,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuMicrosPerRequest: options.pid && requests ? (after - before) / requests : Number.NaN,
  };
}

/** Microseconds of one call. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1000;
}

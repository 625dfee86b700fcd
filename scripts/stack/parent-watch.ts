import { readFileSync } from 'node:fs';

/** One line of /proc/<pid>/stat, the parts we need. */
export interface ProcessStat {
  ppid: number;
  /** Start time since boot, in clock ticks: with the pid, it names one process for good. */
  startTime: string;
}

export type ReadStat = (pid: number) => ProcessStat | undefined;

/** Parses /proc/<pid>/stat (proc(5)); the command name may hold spaces and parentheses. */
export function parseStat(line: string): ProcessStat | undefined {
  const fields = line
    .slice(line.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
  // After "pid (comm) ": state is field 3, ppid 4, starttime 22.
  const ppid = Number(fields[1]);
  const startTime = fields[19];
  return Number.isInteger(ppid) && startTime ? { ppid, startTime } : undefined;
}

export const readLinuxStat: ReadStat = (pid) => {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
};

export interface Ancestor {
  pid: number;
  startTime: string;
}

/** The processes above `pid`, nearest first, up to but not including init (pid 1). */
export function ancestorsOf(pid: number, read: ReadStat = readLinuxStat): Ancestor[] {
  const chain: Ancestor[] = [];
  let current = read(pid)?.ppid;
  while (current !== undefined && current > 1 && chain.length < 64) {
    const stat = read(current);
    if (!stat) {
      break;
    }
    chain.push({ pid: current, startTime: stat.startTime });
    current = stat.ppid;
  }
  return chain;
}

/** The first of `ancestors` that is gone (or whose pid now names another process). */
export function goneAncestor(
  ancestors: Ancestor[],
  read: ReadStat = readLinuxStat,
): number | undefined {
  return ancestors.find((a) => read(a.pid)?.startTime !== a.startTime)?.pid;
}

/**
 * Calls `onGone` once when a process that started us has died: the parent or any process
 * above it.
 *
 * Why every ancestor and not just the parent: `npm run stack` is npm, then node, and IDEs and
 * process runners add their own shells on top. The one that gets killed (SIGKILL from a runner,
 * SIGHUP to npm, which does not forward it) is often not our direct parent, so our parent lives
 * on as an orphan and nothing tells us. A dead process's children are re-parented, and its pid
 * disappears from /proc or (reused) gets a new start time: polling the chain we saw at start
 * catches both. Linux-only, like /proc; elsewhere only the direct parent is watched, through
 * `process.ppid` changing. Polling twice a second costs a few small reads.
 */
export function watchAncestors(
  onGone: (pid: number) => void,
  options: { intervalMs?: number; read?: ReadStat; pid?: number } = {},
): () => void {
  const read = options.read ?? readLinuxStat;
  const self = options.pid ?? process.pid;
  const ancestors = read(self) ? ancestorsOf(self, read) : [];
  const parent = process.ppid;
  const timer = setInterval(() => {
    const gone =
      ancestors.length > 0
        ? goneAncestor(ancestors, read)
        : process.ppid !== parent
          ? parent
          : undefined;
    if (gone !== undefined) {
      clearInterval(timer);
      onGone(gone);
    }
  }, options.intervalMs ?? 500);
  // The watch alone must not keep the stack running.
  timer.unref();
  return () => clearInterval(timer);
}

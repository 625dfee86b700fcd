import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/** Sends a signal to a whole process group; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * SIGTERM to the process group a detached child leads, SIGKILL after `graceMs`; resolves when
 * the child has exited. The whole group goes, not just the pid we spawned: kc.sh may still be
 * the shell around java.
 */
export function stopProcessGroup(child: ChildProcess, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      resolve();
      return;
    }
    const pid = child.pid;
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    killGroup(pid, 'SIGTERM');
  });
}

export interface ProcessGroupGuard {
  /** The orderly stop is done (or about to be): the guard ends without killing anything alive. */
  release(): void;
}

// $0 is the process group, $1 the grace period in seconds, $2 a folder to remove once the group
// is gone (may be empty). `read` returns at end of file, that is when the pipe's only writer
// (the process that started us) has gone. dash's `kill` wants `-s SIG --` before a negative pid
// (a process group). Hang-ups and Ctrl-C of the terminal we were started from must not end the
// guard before it has done its job.
const GUARD_SCRIPT = `
trap '' HUP INT
while read -r _; do :; done
if kill -s TERM -- "-$0" 2>/dev/null; then
  i=0
  while kill -s 0 -- "-$0" 2>/dev/null; do
    if [ "$i" -ge "$1" ]; then kill -s KILL -- "-$0" 2>/dev/null; break; fi
    sleep 1
    i=$((i + 1))
  done
fi
if [ -n "$2" ]; then rm -rf -- "$2"; fi
`;

/**
 * Stops a detached process group when this process dies, however it dies: SIGKILL, a crash, an
 * uncaught exception, or an exit that skipped our handlers.
 *
 * Linux's prctl(PR_SET_PDEATHSIG) would do this for a direct child, but Node has no binding for
 * it and it fires when the spawning *thread* ends, not the process; signal handlers and
 * `process.on('exit')` never run on SIGKILL. A pipe does the job on Linux (and any POSIX
 * system): the guard is a tiny `sh` in its own session whose stdin is a pipe that only this
 * process holds open (Node opens it close-on-exec, so no other child inherits it). The kernel
 * closes it when this process ends for any reason, the guard reads end-of-file and sends
 * SIGTERM to the group, then SIGKILL after `graceS` seconds, and removes `removeAfter` (a
 * Keycloak's copy of the distribution). `release()` closes the pipe on purpose after an orderly
 * stop: the group is gone by then, so the guard finds nothing to kill.
 */
export function guardProcessGroup(
  pgid: number,
  options: { graceS?: number; removeAfter?: string } = {},
): ProcessGroupGuard {
  const args = [String(pgid), String(options.graceS ?? 15), options.removeAfter ?? ''];
  const guard = spawn('sh', ['-c', GUARD_SCRIPT, ...args], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the guard nor its pipe may keep this process alive: it exists for when we are gone.
  guard.unref();
  const stdin = guard.stdin as Socket | null;
  stdin?.on('error', () => undefined);
  stdin?.unref();
  return {
    release: () => {
      stdin?.end();
    },
  };
}

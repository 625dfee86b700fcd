import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardProcessGroup, killGroup } from './process-group';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe(guardProcessGroup.name, () => {
  let sleeper: ChildProcess;
  let pgid: number;

  beforeEach(() => {
    // A process group of its own, as the harness starts Keycloak: sh and its sleep.
    sleeper = spawn('sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
    pgid = sleeper.pid ?? 0;
    expect(pgid).toBeGreaterThan(0);
  });

  afterEach(() => {
    killGroup(pgid, 'SIGKILL');
  });

  it('should leave the group alone while the process that started it lives', async () => {
    guardProcessGroup(pgid);
    await new Promise((r) => setTimeout(r, 1000));
    expect(groupAlive(pgid)).toBe(true);
  });

  it('should stop the group and remove the folder once its pipe closes', async () => {
    // The pipe closes the same way when this process dies: end of file for the guard.
    const folder = mkdtempSync(join(tmpdir(), 'keycloak-bff-guard-'));
    writeFileSync(join(folder, 'file'), 'x');
    const guard = guardProcessGroup(pgid, { removeAfter: folder });
    guard.release();
    expect(await waitFor(() => !groupAlive(pgid) && !existsSync(folder), 5000)).toBe(true);
  });

  it('should SIGKILL a group that ignores SIGTERM after the grace period', async () => {
    killGroup(pgid, 'SIGKILL');
    const stubborn = spawn('sh', ['-c', "trap '' TERM; sleep 60 & wait; sleep 60"], {
      detached: true,
      stdio: 'ignore',
    });
    pgid = stubborn.pid ?? 0;
    await new Promise((r) => setTimeout(r, 200));
    guardProcessGroup(pgid, { graceS: 1 }).release();
    await new Promise((r) => setTimeout(r, 500));
    expect(groupAlive(pgid)).toBe(true);
    expect(await waitFor(() => !groupAlive(pgid), 5000)).toBe(true);
  });
});

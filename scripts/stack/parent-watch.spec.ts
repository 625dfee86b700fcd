import {
  ancestorsOf,
  goneAncestor,
  parseStat,
  type ProcessStat,
  readLinuxStat,
  watchAncestors,
} from './parent-watch';

/** A process table: pid → its stat, edited by the tests. */
function table(entries: Record<number, ProcessStat>): {
  read: (pid: number) => ProcessStat | undefined;
  rows: Map<number, ProcessStat>;
} {
  const rows = new Map(Object.entries(entries).map(([pid, stat]) => [Number(pid), stat]));
  return { read: (pid) => rows.get(pid), rows };
}

describe(parseStat.name, () => {
  it('should read ppid and start time past a command name with spaces and parentheses', () => {
    const line =
      '4242 (node (stack) x) S 4200 4242 4100 0 -1 4194560 1 0 0 0 3 1 0 0 20 0 11 0 987654 1 2 3';
    expect(parseStat(line)).toEqual({ ppid: 4200, startTime: '987654' });
  });
});

describe(ancestorsOf.name, () => {
  it('should list the chain above a process, nearest first, without init', () => {
    const { read } = table({
      40: { ppid: 30, startTime: 'd' },
      30: { ppid: 20, startTime: 'c' },
      20: { ppid: 1, startTime: 'b' },
      1: { ppid: 0, startTime: 'a' },
    });
    expect(ancestorsOf(40, read)).toEqual([
      { pid: 30, startTime: 'c' },
      { pid: 20, startTime: 'b' },
    ]);
  });

  it('should find this process parent first on this machine', () => {
    expect(readLinuxStat(process.pid)).toBeDefined();
    expect(ancestorsOf(process.pid)[0]?.pid).toBe(process.ppid);
  });
});

describe(goneAncestor.name, () => {
  it('should name an ancestor that is gone or whose pid was reused', () => {
    const { read, rows } = table({
      30: { ppid: 20, startTime: 'c' },
      20: { ppid: 1, startTime: 'b' },
    });
    const chain = [
      { pid: 30, startTime: 'c' },
      { pid: 20, startTime: 'b' },
    ];
    expect(goneAncestor(chain, read)).toBeUndefined();
    rows.set(20, { ppid: 1, startTime: 'later' });
    expect(goneAncestor(chain, read)).toBe(20);
    rows.delete(30);
    expect(goneAncestor(chain, read)).toBe(30);
  });
});

describe(watchAncestors.name, () => {
  it('should call back once when a grandparent dies, though the parent lives on', async () => {
    const { read, rows } = table({
      40: { ppid: 30, startTime: 'd' },
      30: { ppid: 20, startTime: 'c' },
      20: { ppid: 1, startTime: 'b' },
    });
    const onGone = jest.fn();
    const stop = watchAncestors(onGone, { pid: 40, read, intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    expect(onGone).not.toHaveBeenCalled();
    rows.delete(20);
    await new Promise((r) => setTimeout(r, 50));
    stop();
    expect(onGone.mock.calls).toEqual([[20]]);
  });
});

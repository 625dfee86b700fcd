import { StopRequests } from './stop-requests';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

describe(StopRequests.name, () => {
  let sut: StopRequests;
  let log: jest.Mock<void, [string]>;
  let exit: jest.SpyInstance;
  // process.emit calls every listener: jest's own must not hear the signals these tests emit.
  const others = new Map<string, NodeJS.SignalsListener[]>();

  beforeAll(() => {
    for (const signal of SIGNALS) {
      others.set(signal, process.listeners(signal));
      process.removeAllListeners(signal);
    }
  });

  afterAll(() => {
    for (const signal of SIGNALS) {
      for (const listener of others.get(signal) ?? []) {
        process.on(signal, listener);
      }
    }
  });

  beforeEach(() => {
    log = jest.fn<void, [string]>();
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    sut = new StopRequests(log);
  });

  afterEach(() => {
    sut.dispose();
  });

  it('should turn SIGHUP into one stop request with its reason', async () => {
    process.emit('SIGHUP', 'SIGHUP');
    expect(sut.signal.aborted).toBe(true);
    await expect(sut.requested()).resolves.toBe('SIGHUP received');
    expect(log.mock.calls).toEqual([['SIGHUP received: stopping the stack']]);
  });

  it("should take the same key press twice (npm forwards its copy) as one, not as 'stop now'", () => {
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(exit).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('should exit at once on a second signal a second or more after the first', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000);
    process.emit('SIGTERM', 'SIGTERM');
    now.mockReturnValue(2_500);
    process.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('should keep the first reason when the parent dies during the stop', async () => {
    sut.request('SIGTERM received');
    sut.request('process 42, which started us, is gone');
    await expect(sut.requested()).resolves.toBe('SIGTERM received');
    expect(exit).not.toHaveBeenCalled();
  });
});

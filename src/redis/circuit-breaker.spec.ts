import { ManualClock } from '../../test/utils/manual-clock';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker';

const down = new Error('connect ECONNREFUSED');
const fail = () => Promise.reject(down);
const answer = () => Promise.resolve('PONG');

function setup(isFailure?: (err: unknown) => boolean) {
  const clock = new ManualClock(0);
  const sut = new CircuitBreaker('Redis', { failures: 3, cooldownMs: 1_000 }, clock, isFailure);
  const changes: [CircuitState, unknown][] = [];
  sut.onStateChange((state, cause) => changes.push([state, cause]));
  const failTimes = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await expect(sut.run(fail)).rejects.toBe(down);
    }
  };
  return { sut, clock, changes, failTimes };
}

describe(CircuitBreaker.name, () => {
  it('should run every call while closed, passing on answers and errors', async () => {
    const { sut, failTimes } = setup();

    await failTimes(2);
    await expect(sut.run(answer)).resolves.toBe('PONG');
    // The success reset the count: two more failures do not open it.
    await failTimes(2);
    expect(sut.current).toBe('closed');
  });

  it('should open after the failures in a row and then refuse at once, without calling', async () => {
    const { sut, clock, changes, failTimes } = setup();
    await failTimes(3);
    const call = jest.fn(answer);

    clock.advance(400);
    const refused = sut.run(call);

    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toMatchObject({
      retryInMs: 600,
      message: 'Redis failed repeatedly: not tried for the next 600 ms (circuit open)',
    });
    expect(call).not.toHaveBeenCalled();
    expect(changes).toEqual([['open', down]]);
  });

  it('should let one probe through after the cool-down, and close when it succeeds', async () => {
    const { sut, clock, changes, failTimes } = setup();
    await failTimes(3);
    clock.advance(1_000);
    let answerProbe: (value: string) => void = () => undefined;
    const probe = sut.run(() => new Promise<string>((resolve) => (answerProbe = resolve)));

    // While the probe is out, other calls are still refused.
    await expect(sut.run(answer)).rejects.toBeInstanceOf(CircuitOpenError);
    answerProbe('PONG');

    await expect(probe).resolves.toBe('PONG');
    await expect(sut.run(answer)).resolves.toBe('PONG');
    expect(changes.map(([state]) => state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('should open again for a whole cool-down when the probe fails', async () => {
    const { sut, clock, changes, failTimes } = setup();
    await failTimes(3);
    clock.advance(1_500);

    await failTimes(1);
    clock.advance(999);

    await expect(sut.run(answer)).rejects.toMatchObject({ retryInMs: 1 });
    clock.advance(1);
    await expect(sut.run(answer)).resolves.toBe('PONG');
    expect(changes.map(([state]) => state)).toEqual([
      'open',
      'half-open',
      'open',
      'half-open',
      'closed',
    ]);
  });

  it("should not count the dependency's own refusals as failures", async () => {
    const refusal = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    const { sut } = setup((err) => err !== refusal);

    for (let i = 0; i < 5; i++) {
      await expect(sut.run(() => Promise.reject(refusal))).rejects.toBe(refusal);
    }

    expect(sut.current).toBe('closed');
  });
});

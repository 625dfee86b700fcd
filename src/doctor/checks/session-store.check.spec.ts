import { randomBytes } from 'node:crypto';
import { SessionCipher } from '../../session/session-cipher';
import { type RedisConnect, SessionStoreCheck } from './session-store.check';

const PREFIX = 'bff:session:';
const ours = randomBytes(32);
const theirs = randomBytes(32);

/** An in-memory stand-in for the Redis commands the check uses; SCAN answers in one page. */
function fakeRedis(
  entries: Record<string, string>,
  ping: () => Promise<string> = () => Promise.resolve('PONG'),
) {
  const calls: string[] = [];
  const redis = {
    ping: jest.fn(ping),
    scan: jest.fn((_cursor: string, _match: 'MATCH', pattern: string) => {
      calls.push(pattern);
      const start = pattern.slice(0, -1);
      return Promise.resolve(['0', Object.keys(entries).filter((k) => k.startsWith(start))]);
    }),
    get: jest.fn((key: string) => Promise.resolve(entries[key] ?? null)),
    quit: jest.fn(() => Promise.resolve('OK')),
    disconnect: jest.fn(),
  };
  return Object.assign(redis, { calls });
}

function setup(redis: ReturnType<typeof fakeRedis>, { withUrl = true, enabled = true } = {}) {
  const connect = jest.fn(() => redis) as unknown as RedisConnect;
  const sut = new SessionStoreCheck(
    connect,
    { url: withUrl ? 'redis://user:pw@redis:6379' : undefined },
    { enabled, encryptionKeys: [ours], redisPrefix: PREFIX },
  );
  return { sut, connect };
}

/** A store entry as session.repository.ts writes it: sealed, bound to its key without the prefix. */
const sealed = (key: Buffer, storeKey: string): [string, string] => [
  `${PREFIX}${storeKey}`,
  new SessionCipher([key]).encrypt('{"sub":"alice"}', storeKey),
];

describe(SessionStoreCheck.name, () => {
  it('should skip, connecting to nothing, without REDIS_URL', async () => {
    const { sut, connect } = setup(fakeRedis({}), { withUrl: false });
    await expect(sut.run()).resolves.toEqual({ status: 'SKIP', found: 'REDIS_URL is not set' });
    expect(connect).not.toHaveBeenCalled();
  });

  it('should fail an unreachable Redis without showing its password', async () => {
    const redis = fakeRedis({}, () => Promise.reject(new Error('connect ECONNREFUSED')));
    const { sut } = setup(redis);
    await expect(sut.run()).resolves.toEqual({
      status: 'FAIL',
      found: 'Redis at redis://user:***@redis:6379 does not answer: connect ECONNREFUSED',
      fix: 'Check REDIS_URL and that Redis is reachable from this host.',
      code: 'SESSION_STORE_UNAVAILABLE',
    });
    expect(redis.disconnect).toHaveBeenCalled();
  });

  it('should only ping without the session mode', async () => {
    const redis = fakeRedis({});
    const { sut } = setup(redis, { enabled: false });
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found: 'Redis at redis://user:***@redis:6379 answers',
    });
    expect(redis.scan).not.toHaveBeenCalled();
    expect(redis.quit).toHaveBeenCalled();
  });

  it('should pass when every sealed entry under the prefix opens with our key, other entries aside', async () => {
    const redis = fakeRedis(
      Object.fromEntries([
        sealed(ours, 's:abc'),
        sealed(ours, 'tx:def'),
        [`${PREFIX}seen:s:abc`, '1700000000000'],
        [`${PREFIX}lock:s:abc`, randomBytes(32).toString('base64url')],
      ]),
    );
    const { sut } = setup(redis);
    await expect(sut.run()).resolves.toEqual({
      status: 'PASS',
      found:
        "Redis answers; 2 sealed entries under SESSION_REDIS_PREFIX 'bff:session:', all opened with SESSION_ENCRYPTION_KEY",
    });
    expect(redis.calls).toEqual([`${PREFIX}s:*`, `${PREFIX}tx:*`]);
  });

  it("should fail when another deployment's sessions share the prefix", async () => {
    const redis = fakeRedis(
      Object.fromEntries([sealed(ours, 's:abc'), sealed(theirs, 's:xyz'), sealed(theirs, 'tx:1')]),
    );
    const { sut } = setup(redis);
    await expect(sut.run()).resolves.toEqual({
      status: 'FAIL',
      found:
        "Redis answers; 3 sealed entries under SESSION_REDIS_PREFIX 'bff:session:', 2 sealed with another key: another deployment shares the prefix (or the key changed without the old,new rotation)",
      fix: expect.stringContaining('Give each deployment its own SESSION_REDIS_PREFIX'),
    });
  });
});

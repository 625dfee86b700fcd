import { randomId, storeKeys } from './session-ids';
import { LOGIN_TRANSACTION_PREFIX } from './store/session-store';

describe('storeKeys', () => {
  const id = randomId();

  it('should never put a cookie value into a store key', () => {
    expect(storeKeys.session(id)).not.toContain(id);
    expect(storeKeys.loginTransaction(id)).not.toContain(id);
    expect(storeKeys.loginsOfIp('192.0.2.1')).not.toContain('192.0.2.1');
  });

  it('should give every idea its own prefix', () => {
    const sessionKey = storeKeys.session(id);
    const keys = [
      sessionKey,
      storeKeys.seen(sessionKey),
      storeKeys.refreshLock(sessionKey),
      storeKeys.sidIndex('x'),
      storeKeys.subIndex('x'),
      storeKeys.loginTransaction(id),
      storeKeys.loginsOfIp('x'),
      storeKeys.usedTokenId('x'),
    ];
    const prefixes = keys.map((key) => key.slice(0, key.indexOf(':')));
    expect(new Set(prefixes).size).toBe(keys.length);
  });

  it('should key pending logins under the prefix the in-memory store caps', () => {
    expect(storeKeys.loginTransaction(id).startsWith(LOGIN_TRANSACTION_PREFIX)).toBe(true);
    expect(storeKeys.session(id).startsWith(LOGIN_TRANSACTION_PREFIX)).toBe(false);
  });
});

describe(randomId.name, () => {
  it('should give 256 random bits, URL-safe', () => {
    expect(randomId()).toMatch(/^[\w-]{43}$/);
    expect(randomId()).not.toBe(randomId());
  });
});

import { randomBytes } from 'node:crypto';
import { SessionCipher } from './session-cipher';

describe(SessionCipher.name, () => {
  const sut = new SessionCipher(randomBytes(32));

  it('should round-trip a record bound to its key', () => {
    const sealed = sut.encrypt('{"refreshToken":"secret"}', 's:abc');
    expect(sealed).not.toContain('secret');
    expect(sut.decrypt(sealed, 's:abc')).toBe('{"refreshToken":"secret"}');
  });

  it('should refuse a record moved under another key', () => {
    expect(sut.decrypt(sut.encrypt('x', 's:abc'), 's:other')).toBeUndefined();
  });

  it('should refuse a tampered record', () => {
    const raw = Buffer.from(sut.encrypt('hello world', 'k'), 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(sut.decrypt(raw.toString('base64url'), 'k')).toBeUndefined();
  });

  it('should refuse a record sealed with another key and garbage', () => {
    const other = new SessionCipher(randomBytes(32));
    expect(sut.decrypt(other.encrypt('x', 'k'), 'k')).toBeUndefined();
    expect(sut.decrypt('short', 'k')).toBeUndefined();
  });

  it('should refuse a key that is not 32 bytes', () => {
    expect(() => new SessionCipher(randomBytes(16))).toThrow('32-byte');
  });
});

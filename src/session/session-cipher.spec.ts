import { randomBytes } from 'node:crypto';
import { SessionCipher } from './session-cipher';

describe(SessionCipher.name, () => {
  const sut = new SessionCipher([randomBytes(32)]);

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
    const other = new SessionCipher([randomBytes(32)]);
    expect(sut.decrypt(other.encrypt('x', 'k'), 'k')).toBeUndefined();
    expect(sut.decrypt('short', 'k')).toBeUndefined();
  });

  it.each([[[randomBytes(16)]], [[randomBytes(32), randomBytes(31)]], [[]]])(
    'should refuse keys that are not all 32 bytes (%#)',
    (keys) => {
      expect(() => new SessionCipher(keys)).toThrow('32-byte');
    },
  );

  describe('with a key list (a key change)', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new SessionCipher([oldKey]);
    const during = new SessionCipher([newKey, oldKey]);
    const after = new SessionCipher([newKey]);

    it('should open records the old key sealed', () => {
      expect(during.decrypt(before.encrypt('{"sub":"alice"}', 's:abc'), 's:abc')).toBe(
        '{"sub":"alice"}',
      );
    });

    it('should seal new records with the first key only', () => {
      const sealed = during.encrypt('{"sub":"bob"}', 's:def');

      expect(after.decrypt(sealed, 's:def')).toBe('{"sub":"bob"}');
      expect(before.decrypt(sealed, 's:def')).toBeUndefined();
    });

    it('should still bind every key to the store key and refuse tampering', () => {
      const sealed = before.encrypt('x', 's:abc');
      const raw = Buffer.from(sealed, 'base64url');
      raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;

      expect(during.decrypt(sealed, 's:other')).toBeUndefined();
      expect(during.decrypt(raw.toString('base64url'), 's:abc')).toBeUndefined();
    });

    it('should refuse what neither key sealed', () => {
      const stranger = new SessionCipher([randomBytes(32)]);
      expect(during.decrypt(stranger.encrypt('x', 's:abc'), 's:abc')).toBeUndefined();
    });
  });
});

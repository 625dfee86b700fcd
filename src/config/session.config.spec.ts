import { randomBytes } from 'node:crypto';
import { collectEnvErrors } from './config';
import { parseEncryptionKey, sessionConfig } from './session.config';

const BASE = {
  KEYCLOAK_URL: 'http://127.0.0.1:8080',
  KEYCLOAK_REALM: 'demo',
  KEYCLOAK_CLIENT_ID: 'bff',
  KEYCLOAK_CLIENT_SECRET: 'bff-secret',
};
const HEX_KEY = 'ab'.repeat(32);

describe('session config', () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
  });

  it('should need nothing while the session mode is off', () => {
    expect(collectEnvErrors(BASE)).toEqual([]);
  });

  it('should name the key and the redirect URI when the mode is on without them', () => {
    expect(collectEnvErrors({ ...BASE, SESSION_ENABLED: 'true' })).toEqual([
      'SESSION_ENCRYPTION_KEY is required (example: SESSION_ENCRYPTION_KEY=$(openssl rand -base64 32))',
      'SESSION_REDIRECT_URI is required (example: SESSION_REDIRECT_URI=http://127.0.0.1:3000/auth/callback)',
    ]);
  });

  it.each(['too-short', 'ab'.repeat(16), 'zz'.repeat(32)])(
    'should refuse the encryption key %p',
    (key) => {
      const lines = collectEnvErrors({
        ...BASE,
        SESSION_ENABLED: 'true',
        SESSION_ENCRYPTION_KEY: key,
        SESSION_REDIRECT_URI: 'http://127.0.0.1:3000/auth/callback',
      });
      expect(lines).toEqual([
        expect.stringMatching(/^SESSION_ENCRYPTION_KEY is invalid: must be 32 bytes/) as string,
      ]);
    },
  );

  describe('with a list of encryption keys (a key change)', () => {
    const ON = {
      ...BASE,
      SESSION_ENABLED: 'true',
      SESSION_REDIRECT_URI: 'http://127.0.0.1:3000/auth/callback',
    };
    const NEW = randomBytes(32);
    const OLD = randomBytes(32);

    it('should read every key in order, hex and base64 alike, the first to encrypt', () => {
      process.env = {
        ...ON,
        SESSION_ENCRYPTION_KEY: ` ${NEW.toString('hex')} , ${OLD.toString('base64')}`,
      };
      expect(collectEnvErrors(process.env)).toEqual([]);
      expect(sessionConfig().encryptionKeys).toEqual([NEW, OLD]);
    });

    it.each([
      [`${HEX_KEY},too-short`, 'entry 2 of 2 of the comma-separated list must be 32 bytes'],
      [`zz${HEX_KEY.slice(2)},${HEX_KEY}`, 'entry 1 of 2 of the comma-separated list must be 32'],
      [`${HEX_KEY},`, 'entry 2 of 2 of the comma-separated list is empty'],
      [`${HEX_KEY},,${HEX_KEY}`, 'entry 2 of 3 of the comma-separated list is empty'],
    ])('should refuse %p on one line naming the entry, never its value', (keys, reason) => {
      const lines = collectEnvErrors({ ...ON, SESSION_ENCRYPTION_KEY: keys });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^SESSION_ENCRYPTION_KEY is invalid: /);
      expect(lines[0]).toContain(reason);
      expect(lines[0]).not.toContain(HEX_KEY.slice(2, 20));
      expect(lines[0]).not.toContain('too-short');
    });

    it('should check a key that is set while the session mode is off', () => {
      expect(collectEnvErrors({ ...BASE, SESSION_ENCRYPTION_KEY: 'too-short' })).toEqual([
        expect.stringMatching(/^SESSION_ENCRYPTION_KEY is invalid: must be 32 bytes/) as string,
      ]);
    });
  });

  it('should refuse a bad SameSite, CSRF header and return-to origin list', () => {
    const lines = collectEnvErrors({
      ...BASE,
      SESSION_COOKIE_SAMESITE: 'none',
      SESSION_CSRF_HEADER: 'x csrf',
      SESSION_RETURN_TO_ORIGINS: 'https://app.example.com/path',
    });
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      'SESSION_COOKIE_SAMESITE',
      'SESSION_RETURN_TO_ORIGINS',
      'SESSION_CSRF_HEADER',
    ]);
  });

  it('should read hex and base64 keys as the same 32 bytes', () => {
    const bytes = Buffer.from(HEX_KEY, 'hex');
    expect(parseEncryptionKey(HEX_KEY)).toEqual(bytes);
    expect(parseEncryptionKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseEncryptionKey(bytes.toString('base64url'))).toEqual(bytes);
  });

  it('should default to a __Host- cookie, SameSite strict, x-csrf and openid', () => {
    process.env = { ...BASE, SESSION_SCOPES: 'email openid' };
    const config = sessionConfig();
    expect(config).toMatchObject({
      enabled: false,
      cookieName: '__Host-bff-session',
      loginCookieName: '__Host-bff-session-login',
      sameSite: 'strict',
      csrfHeader: 'x-csrf',
      scope: 'openid email',
      idleTimeoutMs: 1_800_000,
    });
  });
});

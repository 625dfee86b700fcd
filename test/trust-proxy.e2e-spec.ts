import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from './utils/test-app';

const PER_IP = 5;

/**
 * Behind one proxy (TRUST_PROXY=1) the client is the address that proxy appended to
 * X-Forwarded-For, whatever the client wrote to the left of it (issue 12: with `true`, a
 * client rotating the left-most entry passed 30 of 30 logins under a per-IP limit of 5).
 */
describe('TRUST_PROXY and the per-IP login limit (real Keycloak)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp({
      TRUST_PROXY: '1',
      LOGIN_RATE_LIMIT_PER_IP: String(PER_IP),
      LOGIN_RATE_LIMIT_PER_USERNAME: '1000',
      LOGIN_RATE_LIMIT_WINDOW_S: '60',
      REDIS_URL: undefined,
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  /** A login through the proxy at 127.0.0.1, which appends the client's address. */
  const loginVia = (client: string, spoofed: string) =>
    sut.inject({
      method: 'POST',
      url: '/auth/login',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': `${spoofed}, ${client}` },
      payload: { username: `nobody-${randomUUID()}`, password: 'wrong' },
    });

  it('should limit a client that rotates a spoofed left-most X-Forwarded-For by its real address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3 * PER_IP; i++) {
      statuses.push((await loginVia('203.0.113.7', `198.51.100.${i + 1}`)).statusCode);
    }

    // Keycloak refuses the unknown users (401) until the limit is reached; then 429 every time.
    expect(statuses).toEqual([...Array(PER_IP).fill(401), ...Array(2 * PER_IP).fill(429)]);
    const limited = await loginVia('203.0.113.7', '192.0.2.99');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      code: 'RATE_LIMITED',
      detail: expect.stringContaining('from this address') as string,
    });
  });

  it('should not hold it against another client behind the same proxy', async () => {
    const other = await loginVia('203.0.113.8', '203.0.113.7');

    expect(other.statusCode).toBe(401);
    expect(other.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });
});

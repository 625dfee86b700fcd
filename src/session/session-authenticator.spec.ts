import {
  cookieRequest as sessionRequest,
  SESSION_TEST_CONFIG as CONFIG,
  sessionCookieFixture,
} from '../../test/utils/session-fixture';
import { missingCookieHint, SessionAuthenticator } from './session-authenticator';
import type { SessionRefresher } from './session-refresher';
import { SessionError } from './session.errors';

const CLEARING = expect.stringMatching(
  /^__Host-bff-session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict$/,
) as string;

const TOKENS = { access_token: 'a', expires_in: 300, token_type: 'Bearer', refresh_token: 'r' };

function setup() {
  const { repository, fresh, authenticator } = sessionCookieFixture();
  return { sut: authenticator, repository, fresh };
}

describe(SessionAuthenticator.name, () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'should refuse a cookie %s without the CSRF header',
    (method) => {
      const { sut } = setup();
      expect(() => sut.checkCsrf(sessionRequest(method, {}, 'id'))).toThrow(
        expect.objectContaining({ code: 'CSRF_HEADER_MISSING', status: 403 }) as Error,
      );
    },
  );

  it('should let GET through without the header and POST with it', () => {
    const { sut } = setup();
    expect(() => sut.checkCsrf(sessionRequest('GET', {}, 'id'))).not.toThrow();
    expect(() => sut.checkCsrf(sessionRequest('POST', { 'x-csrf': '1' }, 'id'))).not.toThrow();
  });

  it('should answer a request without the cookie with SESSION_MISSING', async () => {
    const { sut } = setup();
    await expect(sut.load(sessionRequest('GET', {}))).rejects.toMatchObject({
      code: 'SESSION_MISSING',
    });
  });

  it('should name the host-name mismatch when the page is on another host than the BFF', async () => {
    const { sut } = setup();
    const request = sessionRequest('GET', {
      host: '127.0.0.1:3000',
      origin: 'http://localhost:5173',
    });
    await expect(sut.load(request)).rejects.toMatchObject({
      code: 'SESSION_MISSING',
      hint: expect.stringContaining('The page is on localhost but the BFF on 127.0.0.1') as string,
    });
  });

  it.each([
    ['a Referer on another host', { host: 'localhost:3000', referer: 'http://127.0.0.1:3000/app' }],
  ])('should name the host-name mismatch for %s', (_, headers) => {
    expect(missingCookieHint({ headers })).toContain(
      'The page is on 127.0.0.1 but the BFF on localhost',
    );
  });

  it.each([
    ['no Origin or Referer', { host: '127.0.0.1:3000' }],
    ['the same host on another port', { host: 'localhost:3000', origin: 'http://localhost:5173' }],
    ['an unparsable Origin', { host: 'localhost:3000', origin: 'null' }],
  ])('should give the plain login hint for %s', (_, headers) => {
    expect(missingCookieHint({ headers })).toBe('Log in through GET /auth/login.');
  });

  it('should answer an unknown session with SESSION_EXPIRED that clears the cookie', async () => {
    const { sut } = setup();
    await expect(sut.load(sessionRequest('GET', {}, 'nope'))).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      status: 401,
      headers: { 'set-cookie': CLEARING },
    });
  });

  it('should keep the cookie of a live session whose refresh is busy (503)', async () => {
    const { sut, repository, fresh } = setup();
    const session = await sut.load(
      sessionRequest('GET', {}, await repository.create(TOKENS, { sub: 'alice' })),
    );
    const busy = new SessionError('SESSION_REFRESH_BUSY', 'busy');
    fresh.mockRejectedValue(busy);

    await expect(sut.resume(session)).rejects.toBe(busy);
  });

  it('should clear the cookie when the refresh ends the session, saying why', async () => {
    const { sut, repository, fresh } = setup();
    const session = await sut.load(
      sessionRequest('GET', {}, await repository.create(TOKENS, { sub: 'alice' })),
    );
    const ended = new SessionError('SESSION_EXPIRED', 'The session has ended: refused', {
      hint: 'Log in again (GET /auth/login).',
    });
    fresh.mockRejectedValue(ended);

    await expect(sut.resume(session)).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      detail: 'The session has ended: refused',
      hint: 'Log in again (GET /auth/login).',
      headers: { 'set-cookie': CLEARING },
      cause: ended,
    });
  });

  it('should refresh the session when due and mark it as used', async () => {
    const { sut, repository, fresh } = setup();
    const session = await sut.load(
      sessionRequest('GET', {}, await repository.create(TOKENS, { sub: 'alice' })),
    );
    const refreshed = { ...session, lastSeenAt: 0 };
    fresh.mockResolvedValue(refreshed);
    const touch = jest.spyOn(repository, 'touch');

    expect(await sut.resume(session)).toBe(refreshed);
    expect(fresh).toHaveBeenCalledWith(session);
    expect(touch).toHaveBeenCalledWith(refreshed);
  });

  it('should use the real session when a bogus duplicate cookie comes first', async () => {
    const { sut, repository } = setup();
    const id = await repository.create(TOKENS, { sub: 'alice' });

    const session = await sut.load(sessionRequest('GET', {}, 'bogus', '', id));

    expect(session.record.sub).toBe('alice');
  });

  it('should clear the cookie when none of the values sent is a session', async () => {
    const { sut } = setup();

    await expect(sut.load(sessionRequest('GET', {}, 'bogus', 'other'))).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      headers: { 'set-cookie': CLEARING },
    });
  });

  it('should look up at most five values and then keep the cookie it could not check', async () => {
    const { sut, repository } = setup();
    const id = await repository.create(TOKENS, { sub: 'alice' });
    const load = jest.spyOn(repository, 'load');
    const bogus = ['b1', 'b2', 'b3', 'b4', 'b5'];

    const refusal = sut.load(sessionRequest('GET', {}, ...bogus, id));

    await expect(refusal).rejects.toMatchObject({ code: 'SESSION_EXPIRED', headers: {} });
    expect(load).toHaveBeenCalledTimes(5);
  });

  it('should only see the cookie while the session mode is on', () => {
    const { repository } = setup();
    const on = new SessionAuthenticator(repository, {} as SessionRefresher, CONFIG);
    const off = new SessionAuthenticator(repository, {} as SessionRefresher, {
      ...CONFIG,
      enabled: false,
    });
    expect(on.hasCookie(sessionRequest('GET', {}, 'id'))).toBe(true);
    expect(on.hasCookie(sessionRequest('GET', {}))).toBe(false);
    expect(off.hasCookie(sessionRequest('GET', {}, 'id'))).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SystemClock } from '../common/clock/clock';
import type { SessionConfig } from '../config/session.config';
import { SessionAuthenticator } from './session-authenticator';
import type { SessionRefresher } from './session-refresher';
import { SessionSealer } from './session-sealer';
import { SessionError } from './session.errors';
import { SessionRepository } from './session.repository';
import { MemorySessionStore } from './store/memory-session.store';

const CONFIG = {
  enabled: true,
  encryptionKeys: [randomBytes(32)],
  cookieName: '__Host-bff-session',
  sameSite: 'strict',
  csrfHeader: 'x-csrf',
  idleTimeoutMs: 1_800_000,
  absoluteTimeoutMs: 36_000_000,
} as SessionConfig;

const ACCESS = sign(
  { sub: 'alice', realm_access: { roles: ['admin'] }, resource_access: { api: { roles: ['r'] } } },
  'test',
);

/** A request as Fastify hands it over: the raw Cookie header, and @fastify/cookie's first value. */
function request(method: string, headers: Record<string, string>, ...cookies: string[]) {
  const [first] = cookies;
  return {
    method,
    headers:
      cookies.length === 0
        ? headers
        : { ...headers, cookie: cookies.map((c) => `${CONFIG.cookieName}=${c}`).join('; ') },
    cookies: first === undefined ? {} : { [CONFIG.cookieName]: first },
  } as unknown as FastifyRequest;
}

const TOKENS = { access_token: ACCESS, expires_in: 300, token_type: 'Bearer', refresh_token: 'r' };

function setup() {
  const clock = new SystemClock();
  const store = new MemorySessionStore(clock);
  const repository = new SessionRepository(clock, store, new SessionSealer(CONFIG), CONFIG);
  const refresher = { fresh: jest.fn((s: unknown) => Promise.resolve(s)) };
  const reply = { clearCookie: jest.fn() };
  const sut = new SessionAuthenticator(
    repository,
    refresher as unknown as SessionRefresher,
    CONFIG,
  );
  return {
    sut,
    repository,
    store,
    reply: reply as unknown as FastifyReply,
    clearCookie: reply.clearCookie,
  };
}

describe(SessionAuthenticator.name, () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'should refuse a cookie %s without the CSRF header',
    (method) => {
      const { sut } = setup();
      expect(() => sut.checkCsrf(request(method, {}, 'id'))).toThrow(
        expect.objectContaining({ code: 'CSRF_HEADER_MISSING', status: 403 }) as Error,
      );
    },
  );

  it('should let GET through without the header and POST with it', () => {
    const { sut } = setup();
    expect(() => sut.checkCsrf(request('GET', {}, 'id'))).not.toThrow();
    expect(() => sut.checkCsrf(request('POST', { 'x-csrf': '1' }, 'id'))).not.toThrow();
  });

  it('should answer a request without the cookie with SESSION_MISSING', async () => {
    const { sut, reply } = setup();
    await expect(sut.authenticate(request('GET', {}), reply)).rejects.toMatchObject({
      code: 'SESSION_MISSING',
    });
  });

  it('should answer an unknown session with SESSION_EXPIRED and clear the cookie', async () => {
    const { sut, reply, clearCookie } = setup();
    await expect(sut.authenticate(request('GET', {}, 'nope'), reply)).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
    });
    expect(clearCookie).toHaveBeenCalledWith(
      CONFIG.cookieName,
      expect.objectContaining({ path: '/' }),
    );
  });

  it('should turn a session into the user with roles and the stored access token', async () => {
    const { sut, repository, reply } = setup();
    const id = await repository.create(
      { access_token: ACCESS, expires_in: 300, token_type: 'Bearer', refresh_token: 'r' },
      { sub: 'alice', email: 'alice@example.com', nonce: 'n', iss: 'x' },
    );

    const { user, session } = await sut.authenticate(request('GET', {}, id), reply);

    expect(user.roles).toEqual(['admin', 'api:r']);
    expect(user.accessToken).toBe(ACCESS);
    // Marks the caller so no route hands the session's tokens to the browser.
    expect(user.viaSession).toBe(true);
    // Protocol claims stay out of what /auth/session shows.
    expect(session.record.userClaims).toEqual({ sub: 'alice', email: 'alice@example.com' });
  });

  it('should keep the cookie of a live session whose refresh is busy (503)', async () => {
    const { sut, repository, reply, clearCookie } = setup();
    const id = await repository.create(TOKENS, { sub: 'alice' });
    const busy = new SessionError('SESSION_REFRESH_BUSY', 'busy');
    (sut as unknown as { refresher: { fresh: jest.Mock } }).refresher.fresh.mockRejectedValue(busy);

    await expect(sut.authenticate(request('GET', {}, id), reply)).rejects.toBe(busy);
    expect(clearCookie).not.toHaveBeenCalled();
  });

  it('should use the real session when a bogus duplicate cookie comes first, and keep it', async () => {
    const { sut, repository, reply, clearCookie } = setup();
    const id = await repository.create(TOKENS, { sub: 'alice' });

    const { session } = await sut.authenticate(request('GET', {}, 'bogus', '', id), reply);

    expect(session.record.sub).toBe('alice');
    expect(clearCookie).not.toHaveBeenCalled();
  });

  it('should clear the cookie when none of the values sent is a session', async () => {
    const { sut, reply, clearCookie } = setup();

    await expect(sut.load(request('GET', {}, 'bogus', 'other'), reply)).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
    });
    expect(clearCookie).toHaveBeenCalledTimes(1);
  });

  it('should look up at most five values and then keep the cookie it could not check', async () => {
    const { sut, repository, reply, clearCookie } = setup();
    const id = await repository.create(TOKENS, { sub: 'alice' });
    const load = jest.spyOn(repository, 'load');
    const bogus = ['b1', 'b2', 'b3', 'b4', 'b5'];

    await expect(sut.load(request('GET', {}, ...bogus, id), reply)).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
    });
    expect(load).toHaveBeenCalledTimes(5);
    expect(clearCookie).not.toHaveBeenCalled();
  });

  it('should only see the cookie while the session mode is on', () => {
    const { repository } = setup();
    const off = new SessionAuthenticator(repository, {} as SessionRefresher, {
      ...CONFIG,
      enabled: false,
    });
    expect(off.hasCookie(request('GET', {}, 'id'))).toBe(false);
  });
});

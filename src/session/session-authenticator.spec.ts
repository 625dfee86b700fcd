import { randomBytes } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../config/session.config';
import { SessionAuthenticator } from './session-authenticator';
import type { SessionRefresher } from './session-refresher';
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

function request(method: string, headers: Record<string, string>, cookie?: string) {
  return {
    method,
    headers,
    cookies: cookie === undefined ? {} : { [CONFIG.cookieName]: cookie },
  } as unknown as FastifyRequest;
}

function setup() {
  const store = new MemorySessionStore();
  const repository = new SessionRepository(store, CONFIG);
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
    const id = await repository.create(
      { access_token: ACCESS, expires_in: 300, token_type: 'Bearer', refresh_token: 'r' },
      { sub: 'alice' },
    );
    const busy = new SessionError('SESSION_REFRESH_BUSY', 'busy');
    (sut as unknown as { refresher: { fresh: jest.Mock } }).refresher.fresh.mockRejectedValue(busy);

    await expect(sut.authenticate(request('GET', {}, id), reply)).rejects.toBe(busy);
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

import cookie from '@fastify/cookie';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { clearCookie, clearingHeaders, readCookies } from './session-cookies';

const withCookie = (cookie?: string) => ({ headers: { cookie } });

describe('readCookies', () => {
  const sut = (cookie?: string) => readCookies(withCookie(cookie), '__Host-bff-session');

  it.each([
    [undefined, []],
    ['', []],
    ['__Host-bff-session=real', ['real']],
    ['__Host-bff-session=x; __Host-bff-session=real', ['x', 'real']],
    ['__Host-bff-session=; other=1;__Host-bff-session = real ', ['real']],
    ['__Host-bff-session=real; __Host-bff-session=real', ['real']],
    ['__Host-bff-session-login=tx; x__Host-bff-session=y; __Host-bff-session=real', ['real']],
    [
      '__Host-bff-session="quoted"; __Host-bff-session=a%2Fb; __Host-bff-session=%zz',
      ['quoted', 'a/b', '%zz'],
    ],
    ['junk; __Host-bff-session=a=b', ['a=b']],
  ])('should read %p as %p', (cookie, expected) => {
    expect(sut(cookie)).toEqual(expected);
  });
});

describe(clearingHeaders.name, () => {
  it('should clear the cookie exactly as reply.clearCookie does', async () => {
    const fastify = new FastifyAdapter().getInstance();
    await fastify.register(cookie);
    fastify.get('/', (_request, reply) => {
      clearCookie(reply, '__Host-bff-session', 'strict');
      return reply.send('');
    });
    const viaReply = (await fastify.inject({ method: 'GET', url: '/' })).headers['set-cookie'];
    await fastify.close();

    expect(clearingHeaders('__Host-bff-session', 'strict')).toEqual({ 'set-cookie': viaReply });
    expect(viaReply).toContain('__Host-bff-session=;');
  });
});

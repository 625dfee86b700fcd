import type { FastifyRequest } from 'fastify';
import { readCookies } from './session-cookies';

const withCookie = (cookie?: string) => ({ headers: { cookie } }) as unknown as FastifyRequest;

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

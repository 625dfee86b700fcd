import type { FastifyRequest } from 'fastify';

/**
 * A request as Fastify hands it to a guard: the raw Cookie header with every value sent under
 * `cookieName`, and @fastify/cookie's parse, which keeps only the first.
 */
export function cookieRequest(
  cookieName: string,
  method: string,
  headers: Record<string, string>,
  ...cookies: string[]
): FastifyRequest {
  const [first] = cookies;
  return {
    method,
    headers:
      cookies.length === 0
        ? headers
        : { ...headers, cookie: cookies.map((c) => `${cookieName}=${c}`).join('; ') },
    cookies: first === undefined ? {} : { [cookieName]: first },
  } as unknown as FastifyRequest;
}

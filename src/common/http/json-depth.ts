import { Stream } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors/http-errors';

/**
 * How deep a JSON body may nest (arrays and objects). The BFF's own bodies nest two levels; the
 * limit leaves room without letting a body reach the recursive walkers after parsing
 * (class-transformer and class-validator in the validation pipe): 1,500 nested arrays, a 3 KB
 * body, overflowed their stack.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a parsed JSON value nests deeper than `max`. Iterative, with an explicit stack: the
 * check itself must not be what overflows. Stops at the first level past the limit.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) {
      continue;
    }
    if (depth + 1 > max) {
      return true;
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) {
        stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}

/**
 * Refuses a body nested deeper than MAX_JSON_DEPTH with 400 BAD_REQUEST, right after Fastify
 * parsed it (JSON.parse and secure-json-parse do not recurse) and before any handler, guard or
 * pipe of Nest sees it.
 */
export function limitJsonDepth(fastify: FastifyInstance, max = MAX_JSON_DEPTH): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    // A body left unparsed (the API proxy streams its bodies on) is no parsed JSON.
    if (!(request.body instanceof Stream) && nestsDeeperThan(request.body, max)) {
      done(
        new HttpError(
          'BAD_REQUEST',
          `The JSON body nests deeper than ${max} levels of arrays and objects, the limit`,
        ),
      );
      return;
    }
    done();
  });
}

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyPluginCallback } from 'fastify';
import { authenticate } from '../caller';
import { type RouteDeps, seen } from './route-deps';

/** Largest download: large enough for any proxy test, small enough not to run for hours. */
export const MAX_DOWNLOAD_BYTES = 1024 ** 3;
const CHUNK = 64 * 1024;
// Byte i of every download is i % 256: the block is a whole number of 256-byte cycles, so a
// test can check any byte, and the sha256 of n bytes is known in advance.
const BLOCK = Buffer.from(Array.from({ length: CHUNK }, (_, i) => i % 256));

/** n bytes of the pattern, in 64 KiB chunks: never more than one chunk in memory. */
export function* pattern(bytes: number): Generator<Buffer> {
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    yield BLOCK.subarray(0, Math.min(CHUNK, bytes - sent));
  }
}

/** Bodies that stream both ways, for the proxy's "never buffered whole" tests. */
export function transferRoutes(deps: RouteDeps): FastifyPluginCallback {
  return (app, _options, done) => {
    // Any content type, never parsed: the handler reads the raw stream. Scoped to this plugin,
    // so POST /orders keeps its JSON parser and body limit.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    app.post('/upload', { onRequest: authenticate(deps.auth, 'write') }, async (request, reply) => {
      const hash = createHash('sha256');
      let bytes = 0;
      // An empty body never reaches the parser.
      const body = request.body instanceof Readable ? request.body : Readable.from([]);
      for await (const chunk of body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        hash.update(chunk);
      }
      return reply.send({
        bytes,
        sha256: hash.digest('hex'),
        contentType: request.headers['content-type'] ?? null,
        seen: seen(request, deps),
      });
    });

    app.get<{ Querystring: { bytes: number } }>(
      '/download',
      {
        onRequest: authenticate(deps.auth, 'read'),
        schema: {
          querystring: {
            type: 'object',
            required: ['bytes'],
            properties: { bytes: { type: 'integer', minimum: 0, maximum: MAX_DOWNLOAD_BYTES } },
          },
        },
      },
      (request, reply) =>
        reply
          .type('application/octet-stream')
          .header('content-length', request.query.bytes)
          .send(Readable.from(pattern(request.query.bytes))),
    );
    done();
  };
}

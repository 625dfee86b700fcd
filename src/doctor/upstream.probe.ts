import { Injectable } from '@nestjs/common';
import { USER_AGENT } from '../common/version';

/**
 * Asks an API behind the proxy whether it answers at all. Not Keycloak, so not through
 * src/keycloak/: a plain request with the BFF's User-Agent, no token, no redirect followed.
 */
@Injectable()
export class UpstreamProbe {
  /** The HTTP status of a GET to `url`; throws with the reason when nothing answers in time. */
  async status(url: string, timeoutMs: number): Promise<number> {
    try {
      const res = await fetch(url, {
        redirect: 'manual',
        headers: { 'User-Agent': USER_AGENT },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      return res.status;
    } catch (err: unknown) {
      throw new Error(unreachable(err, timeoutMs), { cause: err });
    }
  }
}

/** Read by shape, not `instanceof`: fetch's errors may come from another realm (a VM context). */
function unreachable(err: unknown, timeoutMs: number): string {
  const { name, message, cause } = (err ?? {}) as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (name === 'TimeoutError') {
    return `no answer within ${timeoutMs} ms`;
  }
  // undici puts the socket's error (ECONNREFUSED, ENOTFOUND) in the cause of "fetch failed".
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    return code;
  }
  return typeof message === 'string' ? message : String(err);
}

export const REDACTED = '[REDACTED]';

// Key names whose values are secrets wherever they appear in a log object.
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|password|passwd|secret|client_secret|token|[a-z]*_token|x-csrf-token)$/i;

// A JWT anywhere in a string (three base64url parts, the first two JSON objects).
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// form or query pairs such as `client_secret=…&password=…`.
const SECRET_PAIR =
  /\b(password|client_secret|[a-z]*_token|token|code_verifier|code)=([^&\s"']+)/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

export function redactString(value: string): string {
  return value
    .replace(JWT, REDACTED)
    .replace(SECRET_PAIR, (_m, key: string) => `${key}=${REDACTED}`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

/**
 * Deep copy of a log record with secrets replaced. Runs inside the logger so no call site can
 * leak a token by forgetting to scrub it. Depth- and cycle-bounded: logging must never throw.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') {
    return redactString(value);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (depth > 8 || seen.has(value)) {
    return '[Truncated]';
  }
  seen.add(value);
  if (Array.isArray(value)) {
    return value.map((item) => redact(item, depth + 1, seen));
  }
  if (value instanceof Error) {
    return redactError(value, depth, seen);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}

function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.name,
    message: redactString(error.message),
    stack: error.stack === undefined ? undefined : redactString(error.stack),
  };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) {
    out.code = code;
  }
  if (error.cause !== undefined) {
    out.cause = redact(error.cause, depth + 1, seen);
  }
  return out;
}

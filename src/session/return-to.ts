import { SessionError } from './session.errors';

/**
 * Where the browser may go after login: a same-origin path, or a URL on an allow-listed origin.
 * Anything else is an open redirect (`//evil`, `/\evil`, `https://evil`, `javascript:`).
 */
export function checkReturnTo(raw: string | undefined, allowedOrigins: string[]): string {
  if (raw === undefined || raw === '') {
    return '/';
  }
  if (raw.length > 2048 || /\p{Cc}/u.test(raw)) {
    throw invalid(raw, 'it is too long or contains control characters');
  }
  if (raw.startsWith('/')) {
    // "//host" and "/\host" are protocol-relative URLs in browsers, not paths.
    if (raw.startsWith('//') || raw.startsWith('/\\')) {
      throw invalid(raw, 'a path must not start with // or /\\');
    }
    return normalisedPath(raw);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(raw, 'it is neither a path starting with / nor an absolute URL');
  }
  if (!allowedOrigins.includes(url.origin)) {
    throw invalid(
      raw,
      `origin ${url.origin} is not in SESSION_RETURN_TO_ORIGINS (${allowedOrigins.join(', ') || 'empty'})`,
    );
  }
  return url.href;
}

const PLACEHOLDER = 'http://placeholder.invalid';

/**
 * The path as the Location header can carry it: the URL parser percent-encodes what is not
 * Latin-1 (`/€`, `/\u2028`), which Node would otherwise refuse in a header with ERR_INVALID_CHAR
 * after the session exists. Whatever the parser makes of it must stay on our origin.
 */
function normalisedPath(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER);
  } catch {
    throw invalid(raw, 'it is not a valid path');
  }
  if (url.origin !== PLACEHOLDER) {
    throw invalid(raw, 'it leaves this origin');
  }
  return url.pathname + url.search + url.hash;
}

function invalid(raw: string, why: string): SessionError {
  return new SessionError(
    'INVALID_RETURN_TO',
    `returnTo '${raw.slice(0, 200)}' is refused: ${why}`,
    {
      hint: 'Use a relative path such as /app, or add the origin to SESSION_RETURN_TO_ORIGINS.',
    },
  );
}

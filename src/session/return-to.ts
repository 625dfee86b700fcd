import { SessionError } from './session.errors';

/**
 * Where the browser may go after login: a same-origin path, or a URL on an allow-listed origin.
 * Anything else is an open redirect (`//evil`, `/\evil`, `/.//evil`, `https://evil`,
 * `javascript:`). The result is what the callback puts in `Location`, and it is idempotent:
 * checking it again (as the callback's restart through /auth/login does) gives it back unchanged.
 */
export function checkReturnTo(raw: string | undefined, allowedOrigins: string[]): string {
  if (raw === undefined || raw === '') {
    return '/';
  }
  // Browsers drop tabs and newlines anywhere in a URL (WHATWG URL §4.4, "remove all ASCII tab
  // or newline"), so `/\t/evil` is `//evil` to them: no control character gets through.
  if (raw.length > 2048 || /\p{Cc}/u.test(raw)) {
    throw invalid(raw, 'it is too long or contains control characters');
  }
  if (raw.startsWith('/')) {
    return checkedPath(raw);
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
  // `https://evil.example@app.example.com/` is on our origin, but made to be misread by people.
  if (url.username !== '' || url.password !== '') {
    throw invalid(raw, 'it carries a user name or password before the host');
  }
  return url.href;
}

const PLACEHOLDER = 'http://placeholder.invalid';
// Another origin to re-read the result against: what we answer must mean the same path on any
// origin the BFF is reached under.
const ELSEWHERE = 'https://elsewhere.invalid';
// A router or proxy after us may percent-decode the path again; this many rounds are checked.
const DECODING_ROUNDS = 3;

/**
 * The path as the Location header can carry it, decided on the normalised result, never on
 * the raw input: the URL parser removes dot segments (`/a/..//evil` → `//evil`, `%2e` counts as
 * a dot) and reads `\` as `/` (WHATWG URL §4.4, special schemes), and only then do we know
 * whether a browser will read it as a path. It also percent-encodes what is not Latin-1 (`/€`,
 * `/\u2028`), which Node would otherwise refuse in a header with ERR_INVALID_CHAR after the
 * session exists.
 */
function checkedPath(raw: string): string {
  const rawPath = raw.split(/[?#]/, 1)[0] ?? '';
  if (rawPath.includes('\\')) {
    throw invalid(raw, 'a backslash in the path is a slash to browsers');
  }
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER);
  } catch {
    throw invalid(raw, 'it is not a valid path');
  }
  if (url.origin !== PLACEHOLDER) {
    throw invalid(raw, 'it leaves this origin');
  }
  const path = url.pathname + url.search + url.hash;
  // RFC 3986 §4.2: a reference starting with `//` is network-path (another host); browsers
  // read `/\` the same way. The re-read must also give back exactly what we checked.
  if (!isPlainPath(path) || reread(path) !== path) {
    throw invalid(
      raw,
      `it normalises to ${path.slice(0, 200)}, which browsers read as another host`,
    );
  }
  for (const decoded of decodings(url.pathname)) {
    if (/\p{Cc}/u.test(decoded) || !isPlainPath(decoded) || !isPlainPath(reread(decoded) ?? '')) {
      throw invalid(raw, 'its path decodes to another host or to control characters');
    }
  }
  return path;
}

/** One slash, then neither a slash nor a backslash: not a network-path reference. */
function isPlainPath(path: string): boolean {
  return /^\/(?![/\\])/.test(path);
}

/** `path` as a browser resolves it against another origin, or undefined when it leaves it. */
function reread(path: string): string | undefined {
  try {
    const url = new URL(path, ELSEWHERE);
    return url.origin === ELSEWHERE ? url.pathname + url.search + url.hash : undefined;
  } catch {
    return undefined;
  }
}

/** The path percent-decoded once, twice…: `/%2f%2fevil` is `///evil` to whoever decodes it. */
function decodings(pathname: string): string[] {
  const forms: string[] = [];
  let current = pathname;
  for (let round = 0; round < DECODING_ROUNDS; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      // Not valid percent-encoding (`/100%`): nobody can decode it further either.
      break;
    }
    if (next === current) {
      break;
    }
    forms.push(next);
    current = next;
  }
  return forms;
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

import { ProblemError } from '../common/errors/problem.error';
import { checkReturnTo } from './return-to';

describe('checkReturnTo', () => {
  const allowed = ['https://app.example.com'];
  const sut = (raw: string | undefined): string => checkReturnTo(raw, allowed);

  const accepted: [string | undefined, string][] = [
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['/app/orders?tab=1#top', '/app/orders?tab=1#top'],
    ['https://app.example.com/x', 'https://app.example.com/x'],
    // Not Latin-1: percent-encoded, or the Location header throws ERR_INVALID_CHAR.
    ['/€', '/%E2%82%AC'],
    ['/a\u2028b', '/a%E2%80%A8b'],
    ['/search?q=日本#ü', '/search?q=%E6%97%A5%E6%9C%AC#%C3%BC'],
    ['/already%20encoded', '/already%20encoded'],
    // Dot segments are fine as long as what they resolve to is a path.
    ['/a/../b', '/b'],
    ['/a/./b', '/a/b'],
    ['/%2e%2e/b', '/b'],
    ['/a/%2E%2E/b', '/b'],
    // A doubled slash after the first segment is still a path on this origin.
    ['/app//x', '/app//x'],
    // An encoded slash inside the path decodes to a path too.
    ['/files/a%2Fb', '/files/a%2Fb'],
    // Not valid percent-encoding: nobody can decode it into anything else.
    ['/100%', '/100%'],
    // The query and fragment are the app's business; only the path decides the host.
    ['/search?next=//evil.example', '/search?next=//evil.example'],
    ['/x#//evil.example', '/x#//evil.example'],
    ['https://app.example.com/€', 'https://app.example.com/%E2%82%AC'],
    ['HTTPS://APP.EXAMPLE.COM/x', 'https://app.example.com/x'],
    ['https://app.example.com//x', 'https://app.example.com//x'],
  ];

  it.each(accepted)('should accept %p as %p', (raw, expected) => {
    expect(sut(raw)).toBe(expected);
  });

  // The callback's restart sends the stored returnTo through /auth/login again.
  it.each(accepted)('should give back %p unchanged when checked a second time', (raw) => {
    const once = sut(raw);
    expect(sut(once)).toBe(once);
  });

  it.each([
    // Dot segments that normalise to a network-path reference (issue 12).
    '/.//evil.example',
    '/..//evil.example',
    '/%2e%2e//evil.example',
    '/%2E%2E//evil.example',
    '/%2e//evil.example',
    '/a/..//evil.example',
    '/a/b/../..//evil.example',
    '/x/%2e%2e/%2e%2e//evil.example',
    '/.%2e//evil.example',
    '/.//evil.example?x=1#y',
    // Backslashes, which browsers read as slashes.
    '/./\\evil.example',
    '/.//\\evil.example',
    '/..\\/evil.example',
    '/../\\evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil.example',
    // Protocol-relative outright.
    '//evil.example/x',
    '///evil.example',
    // Tabs and newlines, which browsers strip, raw or once decoded.
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\t//evil.example',
    '/%09/evil.example',
    '/%0a/evil.example',
    '/a\nb',
    '/x%00y',
    // Encoded slashes and backslashes a later decoder turns into another host.
    '/%2f%2fevil.example',
    '/%2F%2Fevil.example',
    '/%5c%5cevil.example',
    '/%2f%5cevil.example',
    '/%252f%252fevil.example',
    '/%2e%2e%5c%5cevil.example',
    '/%2e%2e%2f%2fevil.example',
    // Absolute URLs: schemes without slashes, mixed case, other origins.
    'https:evil.example',
    'http:/\\evil.example',
    'https:/\\/evil.example',
    'HTTPS://EVIL.EXAMPLE/',
    'https://evil.example/',
    'http://app.example.com/',
    'hTtP://app.example.com/',
    'https://app.example.com:8443/',
    'https://app.example.com.evil.example/',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    ' //evil.example',
    'app/relative',
    // User info: another host behind the allowed name, or the allowed host behind a lure.
    'https://app.example.com@evil.example',
    'https://app.example.com:443@evil.example/',
    'https://evil.example@app.example.com/',
    'https://user:pass@app.example.com/',
    'https://evil.example\\@app.example.com/',
    // IDN look-alikes of the allowed origin (Cyrillic а, its punycode, Greek ο).
    'https://аpp.example.com/',
    'https://xn--pp-6kc.example.com/',
    'https://app.exαmple.cοm/',
  ])('should refuse %j with 400 INVALID_RETURN_TO', (raw) => {
    expect.assertions(3);
    try {
      sut(raw);
    } catch (err: unknown) {
      expect(err).toBeInstanceOf(ProblemError);
      expect((err as ProblemError).code).toBe('INVALID_RETURN_TO');
      expect((err as ProblemError).status).toBe(400);
    }
  });

  it('should name what the path normalises to', () => {
    expect(() => sut('/a/..//evil.example')).toThrow(
      "returnTo '/a/..//evil.example' is refused: it normalises to //evil.example, which browsers read as another host",
    );
  });
});

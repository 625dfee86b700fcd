import { ProblemError } from '../common/errors/problem.error';
import { checkReturnTo } from './return-to';

describe('checkReturnTo', () => {
  const allowed = ['https://app.example.com'];

  it.each([
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
    ['/a/../b', '/b'],
    ['https://app.example.com/€', 'https://app.example.com/%E2%82%AC'],
  ])('should accept %p as %p', (raw, expected) => {
    expect(checkReturnTo(raw, allowed)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    'javascript:alert(1)',
    'https://app.example.com.evil.example/',
    'http://app.example.com/',
    'app/relative',
    '/a\nb',
  ])('should refuse %p with INVALID_RETURN_TO', (raw) => {
    expect.assertions(2);
    try {
      checkReturnTo(raw, allowed);
    } catch (err: unknown) {
      expect(err).toBeInstanceOf(ProblemError);
      expect((err as ProblemError).code).toBe('INVALID_RETURN_TO');
    }
  });
});

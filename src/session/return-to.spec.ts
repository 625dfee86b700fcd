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

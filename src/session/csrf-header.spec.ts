import type { INestApplicationContext } from '@nestjs/common';
import { csrfHeaderOf } from './csrf-header';

describe('csrfHeaderOf', () => {
  it('should name the configured SESSION_CSRF_HEADER', () => {
    const app = {
      get: () => ({ csrfHeader: 'x-requested-by' }),
    } as unknown as INestApplicationContext;
    expect(csrfHeaderOf(app)).toBe('x-requested-by');
  });

  it('should fall back to x-csrf when the app has no session config', () => {
    const app = {
      get: () => {
        throw new Error('unknown element');
      },
    } as unknown as INestApplicationContext;
    expect(csrfHeaderOf(app)).toBe('x-csrf');
  });
});

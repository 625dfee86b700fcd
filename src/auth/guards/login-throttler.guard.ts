import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { ProblemError } from '../../common/errors/problem.error';
import { AuthErrorCode } from '../auth.errors';

/** Throttler names: one budget per client IP, one per username (case-insensitive). */
export const LOGIN_THROTTLERS = { ip: 'login-ip', username: 'login-username' } as const;

export function usernameTracker(req: Record<string, unknown>): string {
  const body = req.body as { username?: unknown } | undefined;
  const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
  return `username:${username}`;
}

/** Limits login attempts; over the limit → 429 RATE_LIMITED with Retry-After (seconds). */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const perUsername = detail.tracker.startsWith('username:');
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new ProblemError({
      status: 429,
      code: AuthErrorCode.RATE_LIMITED,
      title: 'Too many login attempts',
      detail: `Too many login attempts ${perUsername ? 'for this username' : 'from this address'}; try again in ${retryAfter} s`,
      headers: { 'Retry-After': String(retryAfter) },
      extensions: { retryAfterSeconds: retryAfter },
    });
  }
}

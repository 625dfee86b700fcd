import {
  applyDecorators,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
  UseGuards,
} from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { MetricsService } from '../../common/metrics/metrics.service';
import { AuthError } from '../auth.errors';

/**
 * Throttler names: password logins have one budget per client IP and one per username
 * (case-insensitive); browser login starts (GET /auth/login, which stores a pending login for
 * anyone who asks) have their own per client IP.
 */
export const LOGIN_THROTTLERS = {
  ip: 'login-ip',
  username: 'login-username',
  startIp: 'login-start-ip',
} as const;

/** Trackers of the login-start budget start with this, so the 429 can say what was limited. */
export const LOGIN_START_TRACKER_PREFIX = 'login-start:';

export function usernameTracker(req: Record<string, unknown>): string {
  const body = req.body as { username?: unknown } | undefined;
  const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
  return `username:${username}`;
}

/** POST /auth/login: the per-IP and per-username budgets. */
export const ThrottlePasswordLogin = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseGuards(LoginThrottlerGuard),
    SkipThrottle({ [LOGIN_THROTTLERS.startIp]: true }),
  );

/** GET /auth/login: the login-start budget per IP only (there is no username yet). */
export const ThrottleLoginStart = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseGuards(LoginThrottlerGuard),
    SkipThrottle({ [LOGIN_THROTTLERS.ip]: true, [LOGIN_THROTTLERS.username]: true }),
  );

/** Limits login attempts; over the limit → 429 RATE_LIMITED with Retry-After (seconds). */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  // A property, not a constructor parameter: ThrottlerGuard's constructor is Nest's to call.
  @Optional() @Inject(MetricsService) private readonly metrics?: MetricsService;

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    const limit = detail.tracker.startsWith(LOGIN_START_TRACKER_PREFIX)
      ? LOGIN_THROTTLERS.startIp
      : detail.tracker.startsWith('username:')
        ? LOGIN_THROTTLERS.username
        : LOGIN_THROTTLERS.ip;
    this.metrics?.rateLimit(limit);
    const what = detail.tracker.startsWith(LOGIN_START_TRACKER_PREFIX)
      ? 'Too many logins started from this address'
      : detail.tracker.startsWith('username:')
        ? 'Too many login attempts for this username'
        : 'Too many login attempts from this address';
    throw new AuthError('RATE_LIMITED', `${what}; try again in ${retryAfter} s`, {
      headers: { 'Retry-After': String(retryAfter) },
      extensions: { retryAfterSeconds: retryAfter },
    });
  }
}

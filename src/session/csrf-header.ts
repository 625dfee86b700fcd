import type { INestApplicationContext } from '@nestjs/common';
import { sessionConfig, type SessionConfig } from '../config/session.config';

/** SESSION_CSRF_HEADER's default, for an app built without the session config (some tests). */
const DEFAULT_CSRF_HEADER = 'x-csrf';

/**
 * The CSRF header the session mode requires, for CORS's allowedHeaders: a renamed header that
 * the preflight does not allow would make every cross-origin state-changing call fail.
 */
export function csrfHeaderOf(app: INestApplicationContext): string {
  try {
    return app.get<SessionConfig>(sessionConfig.KEY, { strict: false }).csrfHeader;
  } catch {
    return DEFAULT_CSRF_HEADER;
  }
}

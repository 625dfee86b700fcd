import type { SessionConfig } from '../config/session.config';
import type { LoadedSession, SessionRecord } from './session.types';

type Timeouts = Pick<SessionConfig, 'idleTimeoutMs' | 'absoluteTimeoutMs'>;

/** The end no activity can postpone: absolute timeout or refresh-token expiry. */
export function hardEndOf(record: SessionRecord, config: Timeouts): number {
  return Math.min(
    record.createdAt + config.absoluteTimeoutMs,
    record.refreshExpiresAt ?? Number.POSITIVE_INFINITY,
  );
}

/** When the session ends: the earliest of idle, absolute and refresh-token expiry. */
export function sessionEndOf(
  { record, lastSeenAt }: Pick<LoadedSession, 'record' | 'lastSeenAt'>,
  config: Timeouts,
): number {
  return Math.min(lastSeenAt + config.idleTimeoutMs, hardEndOf(record, config));
}

/** How long the store keeps a record: until its hard end, and at least a millisecond. */
export function storeTtlOf(record: SessionRecord, now: number, config: Timeouts): number {
  return Math.max(1, hardEndOf(record, config) - now);
}

/**
 * Whether the access token is close enough to expiry to refresh it now; never more than half its
 * lifetime early, or a short-lived token would refresh on every call.
 */
export function isRefreshDue(record: SessionRecord, now: number, refreshBeforeMs: number): boolean {
  const early = Math.min(refreshBeforeMs, record.accessLifetimeMs / 2);
  return record.accessExpiresAt - early <= now;
}

/** Whether "last used" is worth writing again: at most once per tenth of the idle timeout. */
export function isTouchDue(lastSeenAt: number, now: number, idleTimeoutMs: number): boolean {
  return now - lastSeenAt >= idleTimeoutMs / 10;
}

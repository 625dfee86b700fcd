import { ProblemError, type UpstreamInfo } from '../common/errors/problem.error';
import { toProblem } from '../common/errors/to-problem';

/**
 * How a session's refresh failed, as its holder tells those who waited for it (on this instance
 * or another): the public fields of the problem the holder answered. No cause, no headers.
 */
export interface RefreshFailure {
  status: number;
  code: string;
  title: string;
  detail: string;
  hint?: string;
  upstream?: UpstreamInfo;
}

export function refreshFailureOf(err: unknown): RefreshFailure {
  const { status, code, title, detail, hint, upstream } = toProblem(err);
  return { status, code, title, detail, hint, upstream };
}

/** The stored failure, if it has the shape of one (the store is outside the process). */
export function parseRefreshFailure(value: unknown): RefreshFailure | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const { status, code, title, detail, hint, upstream } = value as Record<string, unknown>;
  const valid =
    typeof status === 'number' &&
    status >= 400 &&
    status <= 599 &&
    typeof code === 'string' &&
    /^[A-Z][A-Z0-9_]*$/.test(code) &&
    typeof title === 'string' &&
    typeof detail === 'string' &&
    (hint === undefined || typeof hint === 'string') &&
    (upstream === undefined || isUpstream(upstream));
  return valid ? { status, code, title, detail, hint, upstream } : undefined;
}

function isUpstream(value: unknown): value is UpstreamInfo {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { status, error, error_description } = value as Record<string, unknown>;
  return (
    (status === undefined || typeof status === 'number') &&
    (error === undefined || typeof error === 'string') &&
    (error_description === undefined || typeof error_description === 'string')
  );
}

/** The failure of the refresh a request waited for, answered as its holder answered it. */
export class SharedRefreshFailure extends ProblemError {
  constructor(failure: RefreshFailure) {
    super(failure);
  }
}

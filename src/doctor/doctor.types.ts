export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

export interface CheckResult {
  id: number;
  name: string;
  status: CheckStatus;
  /** What was found, in words an operator can act on. */
  found: string;
  /** How to fix it; empty when there is nothing to fix. */
  fix?: string;
}

export interface DoctorReport {
  realm: string;
  keycloakUrl: string;
  ok: boolean;
  checks: CheckResult[];
}

export const worst = (statuses: CheckStatus[]): CheckStatus =>
  statuses.includes('FAIL')
    ? 'FAIL'
    : statuses.includes('WARN')
      ? 'WARN'
      : statuses.every((s) => s === 'SKIP')
        ? 'SKIP'
        : 'PASS';

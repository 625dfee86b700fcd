export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

export interface CheckResult {
  id: number;
  name: string;
  status: CheckStatus;
  /** What was found, in words an operator can act on. */
  found: string;
  /** How to fix it; empty when there is nothing to fix. */
  fix?: string;
  /**
   * The exact fix as kcadm.sh command lines, realm and client filled in, in the order to run
   * them (after the report's `kcadmLogin`).
   */
  kcadm?: string[];
  /**
   * On a WARN or FAIL: the problem+json `code` (or log `code`) the BFF answers at run time when
   * a request meets this problem, so that an answer leads back to this row.
   */
  code?: string;
}

export interface DoctorReport {
  realm: string;
  keycloakUrl: string;
  ok: boolean;
  /** Logs kcadm.sh in; present when a row has kcadm commands. */
  kcadmLogin?: string;
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

import type { DoctorReport } from './doctor.types';

/**
 * A plain-text table: check, status, what was found, how to fix it, the kcadm.sh commands that
 * fix it and the code the BFF answers at run time for it.
 */
export function formatReport(report: DoctorReport): string {
  const lines = [`keycloak-bff doctor: realm '${report.realm}' at ${report.keycloakUrl}`, ''];
  const width = Math.max(...report.checks.map((c) => `${c.id}. ${c.name}`.length));
  const indent = ' '.repeat(width + 8);
  for (const check of report.checks) {
    lines.push(
      `${`${check.id}. ${check.name}`.padEnd(width)}  ${check.status.padEnd(4)}  ${check.found}`,
    );
    if (check.fix) {
      lines.push(`${indent}fix: ${check.fix}`);
    }
    for (const command of check.kcadm ?? []) {
      lines.push(`${indent}$ ${command}`);
    }
    if (check.code) {
      lines.push(`${indent}at run time: ${check.code}`);
    }
  }
  if (report.kcadmLogin) {
    lines.push('', `The $ commands use one kcadm.sh session: ${report.kcadmLogin}`);
  }
  const failed = report.checks.filter((c) => c.status === 'FAIL').length;
  const warned = report.checks.filter((c) => c.status === 'WARN').length;
  lines.push(
    '',
    failed
      ? `${failed} check(s) failed, ${warned} warning(s)`
      : `all checks passed, ${warned} warning(s)`,
  );
  return lines.join('\n');
}

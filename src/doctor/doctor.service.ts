import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../config/keycloak.config';
import { DOCTOR_CHECKS, type DoctorCheck, type DoctorFindings } from './checks/doctor-check';
import type { CheckResult, DoctorReport } from './doctor.types';
import { kcadm as commands } from './kcadm';

/**
 * Checks a live Keycloak setup against this BFF's configuration and names each problem with its
 * fix. The checks use the service's own clients (same HTTP layer, User-Agent, error narrowing).
 */
@Injectable()
export class DoctorService {
  constructor(
    @Inject(DOCTOR_CHECKS) private readonly checks: readonly DoctorCheck[],
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'url'>,
  ) {}

  async run(): Promise<DoctorReport> {
    const findings: DoctorFindings = { clientAuthenticated: false };
    const results: CheckResult[] = [];
    // One at a time, in order: each check may read what the ones before it found.
    for (const [index, check] of this.checks.entries()) {
      const { status, found, fix, kcadm, code } = await check.run(findings);
      const failed = status === 'WARN' || status === 'FAIL';
      results.push({
        id: index + 1,
        name: check.name,
        status,
        found,
        ...(fix ? { fix } : {}),
        ...(kcadm?.length ? { kcadm } : {}),
        ...(failed && code ? { code } : {}),
      });
    }
    return {
      realm: this.keycloak.realm,
      keycloakUrl: this.keycloak.url,
      ok: results.every((c) => c.status !== 'FAIL'),
      ...(results.some((c) => c.kcadm) ? { kcadmLogin: commands.login(this.keycloak.url) } : {}),
      checks: results,
    };
  }
}

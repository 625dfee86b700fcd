import { DOCTOR_CHECK_NAMES } from '../common/doctor-check-names';
import type { DoctorCheck } from './checks/doctor-check';
import { CHECKS, DoctorModule } from './doctor.module';

/**
 * The rows as the report names them. The checks' constructors only keep what they are given,
 * so each can be built without it to read its name.
 */
const rows = CHECKS.map(
  (Check) => new (Check as unknown as new (...deps: unknown[]) => DoctorCheck)().name,
);

describe(DoctorModule.name, () => {
  it('should keep the numbers docs and issues cite: the first eleven rows in their place', () => {
    expect(rows.slice(0, 11)).toEqual([
      'discovery',
      'issuer',
      'jwks',
      'client credentials',
      'client flows',
      'audience',
      'openid and userinfo',
      'service account roles',
      'token exchange',
      'clock skew',
      'token lifetimes',
    ]);
  });

  it('should have a row for every check name a run-time hint cites', () => {
    expect(rows).toEqual(expect.arrayContaining(Object.values(DOCTOR_CHECK_NAMES)));
  });

  it('should name each row once', () => {
    expect(new Set(rows).size).toBe(rows.length);
  });
});

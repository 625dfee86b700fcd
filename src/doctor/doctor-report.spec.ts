import { formatReport } from './doctor-report';
import { worst } from './doctor.types';

describe(formatReport.name, () => {
  it('should print one row per check, the fix under it, and a summary', () => {
    const text = formatReport({
      realm: 'demo',
      keycloakUrl: 'http://kc',
      ok: false,
      checks: [
        { id: 1, name: 'discovery', status: 'PASS', found: 'ok' },
        {
          id: 2,
          name: 'issuer',
          status: 'FAIL',
          found: 'mismatch',
          fix: 'Set KEYCLOAK_PUBLIC_URL',
        },
        { id: 3, name: 'jwks', status: 'WARN', found: 'slow' },
      ],
    });
    expect(text.split('\n')).toEqual([
      "keycloak-bff doctor: realm 'demo' at http://kc",
      '',
      '1. discovery  PASS  ok',
      '2. issuer     FAIL  mismatch',
      '                    fix: Set KEYCLOAK_PUBLIC_URL',
      '3. jwks       WARN  slow',
      '',
      '1 check(s) failed, 1 warning(s)',
    ]);
  });
});

describe(worst.name, () => {
  it.each([
    [['PASS', 'WARN', 'FAIL'], 'FAIL'],
    [['PASS', 'WARN'], 'WARN'],
    [['PASS', 'SKIP'], 'PASS'],
    [['SKIP'], 'SKIP'],
  ] as const)('should rate %j as %s', (statuses, expected) => {
    expect(worst([...statuses])).toBe(expected);
  });
});

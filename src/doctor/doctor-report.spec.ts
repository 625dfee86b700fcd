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

  it('should print the kcadm.sh commands and the run-time code under a row, and the login once', () => {
    const text = formatReport({
      realm: 'demo',
      keycloakUrl: 'http://kc',
      ok: false,
      kcadmLogin: 'kcadm.sh config credentials --server http://kc --realm master --user <admin>',
      checks: [
        {
          id: 1,
          name: 'rotation',
          status: 'WARN',
          found: 'max reuse 0',
          kcadm: ['kcadm.sh update realms/demo -s refreshTokenMaxReuse=1'],
          code: 'SESSION_EXPIRED',
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      "keycloak-bff doctor: realm 'demo' at http://kc",
      '',
      '1. rotation  WARN  max reuse 0',
      '                   $ kcadm.sh update realms/demo -s refreshTokenMaxReuse=1',
      '                   at run time: SESSION_EXPIRED',
      '',
      'The $ commands use one kcadm.sh session: kcadm.sh config credentials --server http://kc --realm master --user <admin>',
      '',
      'all checks passed, 1 warning(s)',
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

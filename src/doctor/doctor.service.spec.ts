import type { CheckOutcome, DoctorCheck, DoctorFindings } from './checks/doctor-check';
import { DoctorService } from './doctor.service';

/** A check that answers what it is given and records what it saw of the findings. */
function check(name: string, outcome: CheckOutcome, act?: (f: DoctorFindings) => void) {
  const seen: DoctorFindings[] = [];
  const sut: DoctorCheck = {
    name,
    run: (findings) => {
      seen.push({ ...findings });
      act?.(findings);
      return Promise.resolve(outcome);
    },
  };
  return Object.assign(sut, { seen });
}

const keycloak = { realm: 'demo', url: 'http://kc:8080' };

describe(DoctorService.name, () => {
  it('should number the rows by their place in the list and keep a fix only where there is one', async () => {
    const sut = new DoctorService(
      [
        check('first', { status: 'PASS', found: 'fine', fix: '' }),
        check('second', { status: 'WARN', found: 'odd', fix: 'do this' }),
        check('third', { status: 'SKIP', found: 'not run' }),
      ],
      keycloak,
    );
    await expect(sut.run()).resolves.toEqual({
      realm: 'demo',
      keycloakUrl: 'http://kc:8080',
      ok: true,
      checks: [
        { id: 1, name: 'first', status: 'PASS', found: 'fine' },
        { id: 2, name: 'second', status: 'WARN', found: 'odd', fix: 'do this' },
        { id: 3, name: 'third', status: 'SKIP', found: 'not run' },
      ],
    });
  });

  it('should carry kcadm commands, the login they need, and a run-time code only on a WARN or FAIL', async () => {
    const sut = new DoctorService(
      [
        check('fine', { status: 'PASS', found: '', code: 'SOME_CODE' }),
        check('odd', {
          status: 'WARN',
          found: '',
          kcadm: ['kcadm.sh update realms/demo -s x=1'],
          code: 'SOME_CODE',
        }),
        check('empty', { status: 'FAIL', found: '', kcadm: [], code: 'SOME_CODE' }),
      ],
      keycloak,
    );
    const report = await sut.run();
    expect(report.checks).toEqual([
      { id: 1, name: 'fine', status: 'PASS', found: '' },
      {
        id: 2,
        name: 'odd',
        status: 'WARN',
        found: '',
        kcadm: ['kcadm.sh update realms/demo -s x=1'],
        code: 'SOME_CODE',
      },
      { id: 3, name: 'empty', status: 'FAIL', found: '', code: 'SOME_CODE' },
    ]);
    expect(report.kcadmLogin).toBe(
      'kcadm.sh config credentials --server http://kc:8080 --realm master --user <admin>',
    );
  });

  it('should leave the kcadm login out when no row has a command', async () => {
    const sut = new DoctorService([check('a', { status: 'FAIL', found: '' })], keycloak);
    expect(await sut.run()).not.toHaveProperty('kcadmLogin');
  });

  it('should not be ok when any check failed', async () => {
    const sut = new DoctorService(
      [
        check('a', { status: 'PASS', found: '' }),
        check('b', { status: 'FAIL', found: '' }),
        check('c', { status: 'PASS', found: '' }),
      ],
      keycloak,
    );
    expect((await sut.run()).ok).toBe(false);
  });

  it('should hand each check what the checks before it found', async () => {
    const first = check('first', { status: 'PASS', found: '' }, (f) => {
      f.clientAuthenticated = true;
    });
    const second = check('second', { status: 'PASS', found: '' });
    await new DoctorService([first, second], keycloak).run();
    expect(first.seen).toEqual([{ clientAuthenticated: false }]);
    expect(second.seen).toEqual([{ clientAuthenticated: true }]);
  });

  it('should run the checks one after another, in order', async () => {
    const order: string[] = [];
    const slow: DoctorCheck = {
      name: 'slow',
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push('slow');
        return { status: 'PASS', found: '' };
      },
    };
    const fast: DoctorCheck = {
      name: 'fast',
      run: () => {
        order.push('fast');
        return { status: 'PASS', found: '' };
      },
    };
    await new DoctorService([slow, fast], keycloak).run();
    expect(order).toEqual(['slow', 'fast']);
  });
});

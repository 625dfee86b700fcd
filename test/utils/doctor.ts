import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kc } from './keycloak';

const DOCTOR = join(__dirname, '..', '..', 'dist', 'doctor', 'doctor.js');

export interface DoctorRow {
  id: number;
  name: string;
  status: 'PASS' | 'WARN' | 'FAIL' | 'SKIP';
  found: string;
  fix?: string;
  kcadm?: string[];
  code?: string;
}

export interface DoctorRun {
  code: number | null;
  stdout: string;
  checks: DoctorRow[];
  kcadmLogin?: string;
}

/**
 * The built doctor as a real process with exactly this environment (the demo realm's `bff` by
 * default), from a directory without a .env file.
 */
export function runDoctor(env: Record<string, string>, args = ['--json']): Promise<DoctorRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DOCTOR, ...args], {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        KEYCLOAK_URL: kc.url(),
        KEYCLOAK_REALM: 'demo',
        KEYCLOAK_CLIENT_ID: 'bff',
        KEYCLOAK_CLIENT_SECRET: 'bff-secret',
        ...env,
      },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => {
      const report = args.includes('--json')
        ? (JSON.parse(stdout) as { checks: DoctorRow[]; kcadmLogin?: string })
        : { checks: [] };
      resolve({ code, stdout, ...report });
    });
  });
}

export function row(run: DoctorRun, id: number): DoctorRow {
  const found = run.checks.find((c) => c.id === id);
  if (!found) {
    throw new Error(`no check ${id} in ${run.stdout}`);
  }
  return found;
}

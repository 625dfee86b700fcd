import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KeycloakModule } from './keycloak.module';

const ROOT = join(__dirname, '..', '..');

/**
 * The `no-restricted-imports` options ESLint applies to each file. A child process, because
 * ESLint loads eslint.config.mjs with a dynamic import(), which jest's CommonJS runtime refuses.
 */
function restrictedImports(files: string[]): Record<string, string[]> {
  const script = `
    import { ESLint } from 'eslint';
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = {};
    for (const file of JSON.parse(process.argv[1])) {
      const config = await eslint.calculateConfigForFile(file);
      const [, options] = config.rules['no-restricted-imports'] ?? [];
      out[file] = [
        ...(options?.paths ?? []).map((p) => p.name),
        ...(options?.patterns ?? []).flatMap((p) => p.group),
      ];
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const stdout = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(files)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(stdout) as Record<string, string[]>;
}

describe(KeycloakModule.name, () => {
  // Other layer rules may set no-restricted-imports for some folders; ESLint then uses theirs
  // alone there. This keeps the axios ban from being lifted by such a merge.
  it('should be the only place allowed to import axios (eslint.config.mjs)', () => {
    // Any file name will do: ESLint matches configs by path.
    const outside = [
      'src/main.ts',
      ...['auth', 'session', 'health', 'doctor', 'users', 'token-exchange', 'common'].map(
        (folder) => `src/${folder}/any.ts`,
      ),
      'src/keycloak-like/any.ts',
      'test/any.e2e-spec.ts',
      'bench/any.ts',
      'scripts/any.ts',
    ];
    const inside = ['src/keycloak/any.ts', 'src/keycloak/any.spec.ts'];
    const restricted = restrictedImports([...outside, ...inside]);
    for (const file of outside) {
      expect({ file, restricted: restricted[file] }).toEqual({
        file,
        restricted: expect.arrayContaining([
          'axios',
          '@nestjs/axios',
          'axios/*',
          '@nestjs/axios/*',
        ]),
      });
    }
    for (const file of inside) {
      expect({ file, restricted: restricted[file] }).toEqual({
        file,
        restricted: expect.not.arrayContaining(['axios']),
      });
    }
  });
});

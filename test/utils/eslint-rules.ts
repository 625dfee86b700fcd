import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * The `no-restricted-imports` options ESLint applies to each file: the names of its restricted
 * paths and pattern groups. A child process, because ESLint loads eslint.config.mjs with a
 * dynamic import(), which jest's CommonJS runtime refuses.
 */
export function restrictedImports(files: string[]): Record<string, string[]> {
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

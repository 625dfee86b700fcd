import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { errorTable, isErrorTable } from './problem.error';

const SRC = resolve(__dirname, '../..');
const CONTRACT = resolve(SRC, '../docs/errors.md');

/** Where tables may live: the registry is found by file name, so a table elsewhere would hide. */
const ERRORS_FILE = /errors\.ts$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

interface Registered {
  code: string;
  status: number;
  table: string;
}

/** Every exported table of every errors file under src/, with the export that holds it. */
async function registry(): Promise<Registered[]> {
  const found: Registered[] = [];
  for (const file of sourceFiles(SRC).filter((f) => ERRORS_FILE.test(f))) {
    const exports = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (isErrorTable(value)) {
        const table = `${relative(SRC, file)}: ${name}`;
        for (const [code, [status]] of Object.entries(value)) {
          found.push({ code, status, table });
        }
      }
    }
  }
  return found;
}

/** The contract's codes: list items written "- `CODE` (status): meaning". */
function documented(markdown: string): { code: string; status: number }[] {
  return [...markdown.matchAll(/^- `([A-Z][A-Z0-9_]*)` \((\d{3})\): \S/gm)].map((m) => ({
    code: m[1] ?? '',
    status: Number(m[2]),
  }));
}

describe(errorTable.name, () => {
  let sut: Registered[];
  let contract: { code: string; status: number }[];

  beforeAll(async () => {
    sut = await registry();
    contract = documented(readFileSync(CONTRACT, 'utf8'));
  });

  it('should find the table of every module that has codes', () => {
    const tables = new Set(sut.map((r) => r.table));
    expect([...tables].sort()).toEqual([
      'auth/auth.errors.ts: AUTH_ERRORS',
      'common/errors/http-errors.ts: HTTP_ERRORS',
      'keycloak/keycloak.errors.ts: KEYCLOAK_ERRORS',
      'proxy/proxy.errors.ts: PROXY_ERRORS',
      'session/session.errors.ts: SESSION_ERRORS',
      'token-exchange/token-exchange.errors.ts: TOKEN_EXCHANGE_ERRORS',
    ]);
  });

  it('should give the OpenAPI document every table (src/docs/problem-catalog.ts)', async () => {
    const { ERROR_TABLES } = await import('../../docs/problem-catalog');
    const inDocument = Object.values(ERROR_TABLES).flatMap((table) => Object.keys(table));
    expect(inDocument.sort()).toEqual(sut.map((r) => r.code).sort());
  });

  it('should declare tables only in errors files, where the registry looks', () => {
    const elsewhere = sourceFiles(SRC)
      .filter(
        (file) => !ERRORS_FILE.test(file) && /\berrorTable\(/.test(readFileSync(file, 'utf8')),
      )
      .map((file) => relative(SRC, file));
    expect(elsewhere).toEqual([]);
  });

  it('should give each code to one table only', () => {
    const twice = sut.filter((r, i) => sut.findIndex((o) => o.code === r.code) !== i);
    expect(twice).toEqual([]);
  });

  it('should document every code in docs/errors.md', () => {
    const listed = new Set(contract.map((d) => d.code));
    expect(sut.filter((r) => !listed.has(r.code))).toEqual([]);
  });

  it('should document no code that no table has', () => {
    const registered = new Set(sut.map((r) => r.code));
    expect(contract.filter((d) => !registered.has(d.code))).toEqual([]);
  });

  it('should document each code once, with the status its table gives it', () => {
    const mismatched = sut.flatMap((r) => {
      const entries = contract.filter((d) => d.code === r.code);
      return entries.length === 1 && entries[0]?.status === r.status
        ? []
        : [{ ...r, documented: entries.map((d) => d.status) }];
    });
    expect(mismatched).toEqual([]);
  });

  it('should write every code entry of docs/errors.md as "- `CODE` (status): meaning"', () => {
    // An entry the pattern misses would be neither checked nor counted: refuse look-alikes.
    const entries = readFileSync(CONTRACT, 'utf8').match(/^- .*\(.*\):.*$/gm) ?? [];
    expect(entries.filter((line) => !/^- `[A-Z][A-Z0-9_]*` \(\d{3}\): \S/.test(line))).toEqual([]);
  });
});

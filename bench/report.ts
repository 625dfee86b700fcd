import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RunningKeycloak } from '../scripts/keycloak/types';
import { keycloakVersion } from '../scripts/keycloak/version';
import type { Target } from './scenarios/scenario';

/**
 * Writes results/latest.json (latest-quick.json with --quick) and prints the targets as a table
 * of PASS/FAIL lines, then the raw results. A partial run (`--only`) prints only: the file
 * keeps the last run of every scenario.
 */
export function report(
  quick: boolean,
  keycloak: RunningKeycloak,
  results: Record<string, unknown>,
  targets: Target[],
  { partial = false } = {},
): void {
  const json = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      keycloak: keycloakVersion(),
      keycloakSource: keycloak.source,
    },
    results,
    targets,
  };
  if (!partial) {
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      join(__dirname, 'results', quick ? 'latest-quick.json' : 'latest.json'),
      `${JSON.stringify(json, null, 2)}\n`,
    );
  }
  process.stdout.write(
    `\nkeycloak-bff bench (${json.mode}) — ${json.machine.cpus} cores, ${json.machine.cpuModel}, Node ${process.version}, Keycloak ${json.machine.keycloak}\n\n`,
  );
  const width = Math.max(...targets.map((t) => `${t.scenario}: ${t.figure}`.length));
  for (const t of targets) {
    process.stdout.write(
      `${`${t.scenario}: ${t.figure}`.padEnd(width)}  ${String(t.value).padStart(10)}  ${t.target.padEnd(18)} ${t.pass ? 'PASS' : 'FAIL'}\n`,
    );
  }
  process.stdout.write(`\n${JSON.stringify(results, null, 2)}\n`);
}

/**
 * `npm run keycloak`: a Keycloak with the demo realm on http://127.0.0.1:8080 until Ctrl-C.
 * Same harness as the tests; `--port N` (KEYCLOAK_PORT) and `--management-port N`
 * (KEYCLOAK_MANAGEMENT_PORT) pick other ports. `--fetch` only downloads and unpacks the pinned
 * distribution into the cache (CI does this before the tests).
 */
import { ensureDistribution } from './keycloak/distribution';
import { bffEnv, startKeycloak } from './keycloak/harness';
import { assertPortsFree } from './keycloak/ports';
import { keycloakVersion } from './keycloak/version';

function argValue(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  return raw === undefined ? undefined : Number(raw);
}

function envValue(name: string): number | undefined {
  const raw = process.env[name];
  return raw ? Number(raw) : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--fetch')) {
    ensureDistribution(keycloakVersion(), (m) => process.stderr.write(`[keycloak-harness] ${m}\n`));
    return;
  }
  const port = argValue('--port') ?? envValue('KEYCLOAK_PORT') ?? 8080;
  const managementPort =
    argValue('--management-port') ?? envValue('KEYCLOAK_MANAGEMENT_PORT') ?? 9000;
  if (!process.env.KEYCLOAK_URL) {
    await assertPortsFree([
      { port, what: 'Keycloak', option: '--port N (or KEYCLOAK_PORT=N)' },
      {
        port: managementPort,
        what: "Keycloak's management interface",
        option: '--management-port N (or KEYCLOAK_MANAGEMENT_PORT=N)',
      },
    ]);
  }
  const abort = new AbortController();
  const stopDuringStart = (): void => abort.abort();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, stopDuringStart);
  }
  const keycloak = await startKeycloak({ port, managementPort, signal: abort.signal }).catch(
    (err: unknown) => {
      if (abort.signal.aborted) {
        process.exit(0);
      }
      throw err;
    },
  );
  const env = bffEnv(keycloak);
  process.stdout.write(
    `\nKeycloak is ready at ${keycloak.url} (admin console: ${keycloak.url}/admin, ` +
      `${keycloak.adminUser}/${keycloak.adminPassword}, development only).\n` +
      (keycloak.logFile ? `Its log: ${keycloak.logFile}\n` : '') +
      `Run the BFF against it with:\n` +
      Object.entries(env)
        .filter(([k]) => !k.startsWith('KEYCLOAK_ADMIN'))
        .map(([k, v]) => `  ${k}=${v}`)
        .join('\n') +
      '\nPress Ctrl-C to stop.\n',
  );
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    keycloak.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.off(signal, stopDuringStart);
    process.once(signal, stop);
  }
  void keycloak.exited?.then((code) => {
    if (stopping) {
      return;
    }
    process.stderr.write(`Keycloak stopped on its own (${code}); its log: ${keycloak.logFile}\n`);
    process.exit(1);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

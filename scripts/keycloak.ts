/**
 * `npm run keycloak`: a Keycloak with the demo realm on http://127.0.0.1:8080 until Ctrl-C.
 * Same harness as the tests; `--port N` picks another port. `--fetch` only downloads and
 * unpacks the pinned distribution into the cache (CI does this before the tests).
 */
import { ensureDistribution } from './keycloak/distribution';
import { bffEnv, startKeycloak } from './keycloak/harness';
import { keycloakVersion } from './keycloak/version';

function argValue(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  return raw === undefined ? undefined : Number(raw);
}

async function main(): Promise<void> {
  if (process.argv.includes('--fetch')) {
    ensureDistribution(keycloakVersion(), (m) => process.stderr.write(`[keycloak-harness] ${m}\n`));
    return;
  }
  const port = argValue('--port') ?? 8080;
  const keycloak = await startKeycloak({
    port,
    managementPort: argValue('--management-port') ?? 9000,
  });
  const env = bffEnv(keycloak);
  process.stdout.write(
    `\nKeycloak is ready at ${keycloak.url} (admin console: ${keycloak.url}/admin, ` +
      `${keycloak.adminUser}/${keycloak.adminPassword}, development only).\n` +
      `Run the BFF against it with:\n` +
      Object.entries(env)
        .filter(([k]) => !k.startsWith('KEYCLOAK_ADMIN'))
        .map(([k, v]) => `  ${k}=${v}`)
        .join('\n') +
      '\nPress Ctrl-C to stop.\n',
  );
  const stop = (): void => {
    keycloak.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/**
 * `npm run stack`: the whole local stack in one command. With a Docker engine it is
 * `docker compose up --build`; without one, Keycloak from the Maven distribution on port 8080
 * plus the BFF on port 3000, both stopped by Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dockerAvailable } from './keycloak/docker';
import { bffEnv, startKeycloak } from './keycloak/harness';
import { REPO_ROOT } from './keycloak/version';

async function main(): Promise<void> {
  if (!process.env.KEYCLOAK_URL && !process.env.KEYCLOAK_HARNESS && (await dockerAvailable())) {
    process.stderr.write('Docker engine found: docker compose up --build\n');
    const result = spawnSync('docker', ['compose', 'up', '--build'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    process.exit(result.status ?? 1);
  }
  // The distribution path below; KEYCLOAK_URL set means "use that Keycloak".
  const env = { ...process.env, KEYCLOAK_HARNESS: process.env.KEYCLOAK_HARNESS ?? 'distribution' };
  const keycloak = await startKeycloak({ env, port: 8080, managementPort: 9000 });
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    await keycloak.stop();
    process.exit(build.status ?? 1);
  }
  const bff = spawn(process.execPath, ['dist/main.js'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: {
      ...bffEnv(keycloak),
      CORS_ORIGINS: 'http://localhost:3000,http://127.0.0.1:3000',
      ...process.env,
    },
  });
  process.stderr.write(
    `\nKeycloak: ${keycloak.url}  BFF: http://127.0.0.1:3000  Swagger UI: http://127.0.0.1:3000/docs\n`,
  );
  const stop = (): void => {
    bff.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  bff.once('exit', (code) => {
    keycloak.stop().then(
      () => process.exit(code ?? 0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

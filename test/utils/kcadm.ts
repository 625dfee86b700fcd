import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDistribution } from '../../scripts/keycloak/distribution';
import { pickJavaHome } from '../../scripts/keycloak/java';
import { keycloakVersion } from '../../scripts/keycloak/version';

const exec = promisify(execFile);

/**
 * Keycloak's admin CLI from the distribution the harness uses (fetched once into its cache),
 * logged in once into a config file of its own (never ~/.keycloak, which other runs share).
 * `run` takes a command line as doctor prints it: `kcadm.sh` there is a wrapper that adds the
 * config file, so `$(kcadm.sh …)` inside a line works too.
 */
export class Kcadm {
  private constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async login(serverUrl: string, user: string, password: string): Promise<Kcadm> {
    const home = ensureDistribution(keycloakVersion(), (m) =>
      process.stderr.write(`[kcadm] ${m}\n`),
    );
    const dir = mkdtempSync(join(tmpdir(), 'kcadm-'));
    const config = join(dir, 'kcadm.config');
    const real = join(home, 'bin', 'kcadm.sh');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(
      join(dir, 'bin', 'kcadm.sh'),
      `#!/bin/sh\ncommand="$1"\nshift\nexec "${real}" "$command" --config "${config}" "$@"\n`,
    );
    chmodSync(join(dir, 'bin', 'kcadm.sh'), 0o755);
    const env = {
      PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
      JAVA_HOME: pickJavaHome().home,
      // A JVM per command: start it for a short run (about half the time).
      KC_OPTS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto',
    };
    await exec(
      real,
      [
        'config',
        'credentials',
        '--config',
        config,
        '--server',
        serverUrl,
        '--realm',
        'master',
        '--user',
        user,
        '--password',
        password,
      ],
      { env },
    );
    return new Kcadm(dir, env);
  }

  /** Runs one printed command line with sh; rejects with its stderr when it fails. */
  async run(commandLine: string): Promise<string> {
    const { stdout } = await exec('sh', ['-c', commandLine], { env: this.env });
    return stdout;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

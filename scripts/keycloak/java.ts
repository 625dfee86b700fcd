import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface JavaHome {
  home: string;
  major: number;
}

export function javaMajor(javaHome: string): number | undefined {
  const java = join(javaHome, 'bin', 'java');
  if (!existsSync(java)) {
    return undefined;
  }
  // `java -version` writes to stderr.
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  return parseJavaMajor(`${result.stderr}${result.stdout}`);
}

export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) {
    return undefined;
  }
  const first = Number(match[1]);
  // Java 8 and older say "1.8.0".
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/**
 * Keycloak 26 wants Java 21+: prefer the newest JDK 21+ (KEYCLOAK_JAVA_HOME, JAVA_HOME, then
 * /usr/lib/jvm), and fall back to 17 with a warning rather than not starting at all.
 */
export function pickJavaHome(
  env: NodeJS.ProcessEnv = process.env,
  jvmDir = '/usr/lib/jvm',
  probe: (home: string) => number | undefined = javaMajor,
): JavaHome {
  const candidates = [env.KEYCLOAK_JAVA_HOME, env.JAVA_HOME].filter((h): h is string => Boolean(h));
  if (existsSync(jvmDir)) {
    candidates.push(...readdirSync(jvmDir).map((name) => join(jvmDir, name)));
  }
  const found: JavaHome[] = [];
  for (const home of new Set(candidates)) {
    const major = probe(home);
    if (major !== undefined) {
      found.push({ home, major });
    }
  }
  const explicit = found.find((j) => j.home === env.KEYCLOAK_JAVA_HOME);
  if (explicit) {
    return explicit;
  }
  const modern = found.filter((j) => j.major >= 21).sort((a, b) => b.major - a.major);
  const fallback = found.filter((j) => j.major >= 17).sort((a, b) => b.major - a.major);
  const chosen = modern[0] ?? fallback[0];
  if (!chosen) {
    throw new Error(`No JDK 17+ found (looked at KEYCLOAK_JAVA_HOME, JAVA_HOME and ${jvmDir})`);
  }
  return chosen;
}

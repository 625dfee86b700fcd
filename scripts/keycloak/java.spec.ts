import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJavaMajor, pickJavaHome } from './java';

describe(parseJavaMajor.name, () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "25" 2025-09-16', 25],
    ['java version "1.8.0_392"', 8],
    ['nothing here', undefined],
  ])('should read %s as %s', (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });
});

describe(pickJavaHome.name, () => {
  const jvmDir = mkdtempSync(join(tmpdir(), 'jvm-'));
  for (const name of ['java-17-openjdk', 'temurin-21-jdk', 'temurin-25-jdk', 'broken']) {
    mkdirSync(join(jvmDir, name));
  }
  const majors: Record<string, number> = {
    'java-17-openjdk': 17,
    'temurin-21-jdk': 21,
    'temurin-25-jdk': 25,
  };
  const probe = (home: string) => majors[home.split('/').pop() ?? ''];

  it('should prefer the newest JDK 21+', () => {
    expect(pickJavaHome({}, jvmDir, probe)).toEqual({
      home: join(jvmDir, 'temurin-25-jdk'),
      major: 25,
    });
  });

  it('should prefer a 21+ JDK over a JAVA_HOME of 17', () => {
    const env = { JAVA_HOME: join(jvmDir, 'java-17-openjdk') };
    expect(pickJavaHome(env, jvmDir, probe).major).toBe(25);
  });

  it('should honour KEYCLOAK_JAVA_HOME', () => {
    const env = { KEYCLOAK_JAVA_HOME: join(jvmDir, 'temurin-21-jdk') };
    expect(pickJavaHome(env, jvmDir, probe).major).toBe(21);
  });

  it('should fall back to 17 when nothing newer exists', () => {
    const only17 = (home: string) => (home.endsWith('java-17-openjdk') ? 17 : undefined);
    expect(pickJavaHome({}, jvmDir, only17).major).toBe(17);
  });

  it('should fail with a message when no JDK is usable', () => {
    expect(() => pickJavaHome({}, jvmDir, () => undefined)).toThrow(/No JDK 17\+ found/);
  });
});

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessLog } from './types';

/**
 * Keycloak's build step ("Quarkus augmentation", 20-30 s on two cores) for the options that
 * `start-dev` is given, kept across runs.
 *
 * Each run starts from a fresh copy of the distribution, so `start-dev` would augment every
 * time. Its whole output is `lib/quarkus` (3 MB), and `kc.sh` cannot build for the dev profile
 * ahead of time (`build` refuses it), so the first run that gets ready saves its `lib/quarkus`
 * here and later runs copy it in. The key is everything the build depends on. A stale entry is
 * harmless: Keycloak compares the build options persisted in `lib/quarkus` with the ones it is
 * started with and augments again when they differ.
 */
export class AugmentationCache {
  private readonly dir: string;

  constructor(cacheRoot: string, version: string, buildInputs: string[]) {
    const key = createHash('sha256')
      .update([version, ...buildInputs].join('\n'))
      .digest('hex')
      .slice(0, 16);
    this.dir = join(cacheRoot, `keycloak-${version}-dev-build-${key}`);
  }

  /** Copies a saved build into a fresh distribution copy; false when there is none yet. */
  restore(home: string, log: HarnessLog): boolean {
    if (!existsSync(join(this.dir, 'quarkus', 'quarkus-application.dat'))) {
      return false;
    }
    cpSync(join(this.dir, 'quarkus'), join(home, 'lib', 'quarkus'), { recursive: true });
    log(`reusing Keycloak's dev build from ${this.dir}`);
    return true;
  }

  /**
   * Saves the build of a run that got ready. Through a temp folder and a rename, so that a
   * parallel run or an interrupted copy never leaves half a build to be reused.
   */
  save(home: string, log: HarnessLog): void {
    if (existsSync(this.dir)) {
      return;
    }
    const staging = mkdtempSync(`${this.dir}.tmp-`);
    try {
      cpSync(join(home, 'lib', 'quarkus'), join(staging, 'quarkus'), { recursive: true });
      renameSync(staging, this.dir);
      log(`saved Keycloak's dev build to ${this.dir}`);
    } catch {
      // Another run saved it first (rename onto a non-empty folder fails): theirs is as good.
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
}

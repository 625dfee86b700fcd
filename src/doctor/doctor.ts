import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadEnvOrExit } from '../config/load-env';
import { formatReport } from './doctor-report';
import { DoctorModule } from './doctor.module';
import { DoctorService } from './doctor.service';

/**
 * `npm run doctor [-- --json]`: checks the configured Keycloak and prints what is wrong and how
 * to fix it. Exit 0 when nothing failed, 1 otherwise (2 when the configuration itself is bad).
 */
async function main(): Promise<void> {
  loadEnvOrExit('keycloak-bff doctor', 2);
  const app = await NestFactory.createApplicationContext(DoctorModule, {
    logger: false,
    abortOnError: false,
  });
  try {
    const report = await app.get(DoctorService).run();
    process.stdout.write(
      process.argv.includes('--json')
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${formatReport(report)}\n`,
    );
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `keycloak-bff doctor: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(2);
});

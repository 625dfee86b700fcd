import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { collectEnvErrors } from '../config/config';
import { formatReport } from './doctor-report';
import { DoctorModule } from './doctor.module';
import { DoctorService } from './doctor.service';

/**
 * `npm run doctor [-- --json]`: checks the configured Keycloak and prints what is wrong and how
 * to fix it. Exit 0 when nothing failed, 1 otherwise (2 when the configuration itself is bad).
 */
async function main(): Promise<void> {
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const errors = collectEnvErrors(process.env);
  if (errors.length > 0) {
    for (const line of errors) {
      process.stderr.write(`keycloak-bff doctor: configuration error: ${line}\n`);
    }
    process.exit(2);
  }
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

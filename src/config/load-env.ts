import { existsSync } from 'node:fs';
import { collectEnvErrors } from './config';

/**
 * Reads `.env` (variables already set win) and validates every namespace; on a bad variable
 * prints one line each, no stack trace, and exits with `exitCode`.
 */
export function loadEnvOrExit(program: string, exitCode: number): void {
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const errors = collectEnvErrors(process.env);
  if (errors.length > 0) {
    for (const line of errors) {
      process.stderr.write(`${program}: configuration error: ${line}\n`);
    }
    process.exit(exitCode);
  }
}

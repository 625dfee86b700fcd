/**
 * Imported first by main.ts, before anything that loads http, fastify or ioredis: the
 * instrumentations patch those modules as they load. Reads `.env` itself (variables already set
 * win), since main.ts loads it only after its imports.
 */
import { existsSync } from 'node:fs';
import { startTracing, tracingWanted } from './tracing';

if (existsSync('.env')) {
  process.loadEnvFile('.env');
}
if (tracingWanted(process.env)) {
  startTracing(process.env);
}

import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { isIP } from 'node:net';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';
import { EnvExample, splitList, toBool, toInt, validateEnv } from './env-validation';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// An origin is scheme://host[:port] with no path: CORS compares origins exactly.
const ORIGIN_LIST = /^\s*https?:\/\/[^/\s,]+(\s*,\s*https?:\/\/[^/\s,]+)*\s*$/;

/** What Fastify's `trustProxy` gets: no proxy, a hop count, or the proxies' addresses/CIDRs. */
export type TrustProxy = false | number | string[];

const MAX_PROXY_HOPS = 10;
// proxy-addr's names for the loopback, link-local and unique-local ranges.
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

const TRUST_EVERYONE =
  'true trusts whatever X-Forwarded-For a client sends, so each client picks its own IP ' +
  '(and escapes the per-IP login limit); set how many proxies stand in front of the BFF ' +
  '(TRUST_PROXY=1) or their addresses/CIDRs (TRUST_PROXY=10.0.0.0/8)';

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry) || isIP(entry) !== 0) {
    return true;
  }
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  return (
    family !== 0 &&
    bits !== undefined &&
    rest.length === 0 &&
    /^\d{1,3}$/.test(bits) &&
    Number(bits) <= (family === 4 ? 32 : 128)
  );
}

/** Why a TRUST_PROXY value is refused, or undefined when it is usable. */
export function trustProxyProblem(raw: unknown): string | undefined {
  if (raw === 'false') {
    return undefined;
  }
  if (raw === 'true') {
    return TRUST_EVERYONE;
  }
  if (typeof raw !== 'string') {
    return 'must be false, a number of proxies or a list of proxy addresses/CIDRs';
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    return hops >= 1 && hops <= MAX_PROXY_HOPS
      ? undefined
      : `a number of proxies must be 1 to ${MAX_PROXY_HOPS} (false: no proxy)`;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length > 0) {
    return `must be false, a number of proxies or a comma-separated list of proxy addresses/CIDRs; not an address or CIDR: '${bad.join("', '")}'`;
  }
  // A /0 range is every address: the same as true.
  if (entries.some((entry) => /\/0+$/.test(entry))) {
    return TRUST_EVERYONE;
  }
  return undefined;
}

function IsTrustProxy(): PropertyDecorator {
  return ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) => trustProxyProblem(value) === undefined,
      defaultMessage: (args) => trustProxyProblem(args?.value) ?? '',
    },
  });
}

/** The validated TRUST_PROXY as Fastify takes it. */
export function parseTrustProxy(raw: string): TrustProxy {
  if (raw === 'false') {
    return false;
  }
  return /^\d+$/.test(raw) ? Number(raw) : splitList(raw);
}

/**
 * A number of milliseconds bounded by another variable's: `HEADERS_TIMEOUT_MS` by
 * `REQUEST_TIMEOUT_MS` (Node refuses to start otherwise), `SHUTDOWN_DRAIN_MS` by
 * `SHUTDOWN_TIMEOUT_MS` (in-flight requests still need time after the drain).
 */
function BoundedBy(
  other: 'REQUEST_TIMEOUT_MS' | 'SHUTDOWN_TIMEOUT_MS',
  bound: { orEqual: boolean; why: string },
): PropertyDecorator {
  const limitOf = (object: unknown): number => (object as AppEnv)[other];
  return ValidateBy({
    name: `boundedBy${other}`,
    validator: {
      validate: (value: unknown, args) =>
        typeof value !== 'number' ||
        (bound.orEqual ? value <= limitOf(args?.object) : value < limitOf(args?.object)),
      defaultMessage: (args) =>
        `must ${bound.orEqual ? 'not exceed' : 'be shorter than'} ${other} (${limitOf(args?.object)}): ${bound.why}`,
    },
  });
}

export class AppEnv {
  @EnvExample('3000')
  @Transform(toInt)
  @IsInt({ message: 'must be a port number' })
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @EnvExample('0.0.0.0')
  @IsString()
  HOST = '0.0.0.0';

  @EnvExample('http://localhost:5173,https://app.example.com')
  @IsOptional()
  @Matches(ORIGIN_LIST, {
    message: 'must be a comma-separated list of origins (scheme://host[:port])',
  })
  CORS_ORIGINS?: string;

  @EnvExample('info')
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @EnvExample('65536')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of bytes' })
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 64 * 1024;

  // Fastify's trustProxy (proxy-addr): with a hop count n, request.ip is the n-th
  // X-Forwarded-For entry from the right, the one the outermost of n proxies appended; with a
  // list, the right-most address that is not one of them. Never simply the left-most entry,
  // which the client writes itself.
  @EnvExample('1')
  @IsTrustProxy()
  TRUST_PROXY = 'false';

  @EnvExample('true')
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  DOCS_ENABLED = true;

  @EnvExample('false')
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  BENCH_ROUTES = false;

  @EnvExample('10000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(0)
  @Max(300_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  // While draining, answers say Connection: close so keep-alive clients leave before their idle
  // sockets are closed; then the server stops accepting and in-flight requests finish.
  @EnvExample('1000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(0)
  @Max(60_000)
  @BoundedBy('SHUTDOWN_TIMEOUT_MS', {
    orEqual: false,
    why: 'in-flight requests still need time after the drain',
  })
  SHUTDOWN_DRAIN_MS = 1000;

  // Node's requestTimeout: the whole request, headers and body, must arrive within it (408).
  // Fastify turns it off by default, so a slow or unfinished body held its connection forever.
  @EnvExample('30000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(1000)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 30_000;

  // Node's headersTimeout: the request line and headers (slowloris).
  @EnvExample('10000')
  @Transform(toInt)
  @IsInt({ message: 'must be a number of milliseconds' })
  @Min(500)
  @Max(600_000)
  @BoundedBy('REQUEST_TIMEOUT_MS', { orEqual: true, why: 'the headers are part of the request' })
  HEADERS_TIMEOUT_MS = 10_000;
}

export const appConfig = registerAs('app', () => {
  const env = validateEnv(AppEnv, process.env);
  return {
    port: env.PORT,
    host: env.HOST,
    corsOrigins: splitList(env.CORS_ORIGINS),
    logLevel: env.LOG_LEVEL,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    docsEnabled: env.DOCS_ENABLED,
    /** GET /bench/guarded and /bench/public, for `npm run bench` only. */
    benchRoutes: env.BENCH_ROUTES,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
  };
});

export type AppConfig = ReturnType<typeof appConfig>;

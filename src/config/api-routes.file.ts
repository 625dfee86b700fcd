import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  type ApiRoute,
  ApiRouteEntry,
  normaliseTarget,
  prefixProblem,
  ROUTE_FIELD_EXAMPLES,
  ROUTE_FIELDS,
} from './api-route.entry';

/**
 * The BFF's own route prefixes. A routes-file prefix overlapping one would either shadow a BFF
 * endpoint or be shadowed by it; keep this list in step with the controllers.
 */
export const BFF_OWN_PREFIXES = [
  '/auth',
  '/health',
  '/users',
  '/token-exchange',
  '/bench',
  '/docs',
  '/docs-json',
] as const;

export interface ApiRoutesResult {
  routes: ApiRoute[];
  /** One reason per line, each naming the file, and the route and field where there is one. */
  problems: string[];
}

const POLICIES_WITH_AUDIENCE = ['exchange', 'user-or-none'];

/**
 * Whether two prefixes overlap: equal, or one is a path-segment prefix of the other
 * (`/api` and `/api/orders` do, `/api/orders` and `/api/ordersx` do not).
 */
export function prefixesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

// Names the route in a line: its index, and its prefix when it is a readable one.
function routeLabel(index: number, prefix: unknown): string {
  if (typeof prefix !== 'string') {
    return `route [${index}]`;
  }
  const shown = /^[\x21-\x7e]{1,200}$/.test(prefix) ? prefix : JSON.stringify(prefix.slice(0, 200));
  return `route [${index}] ${shown}`;
}

const fieldLine = (field: keyof ApiRouteEntry, reason: string): string =>
  `${field} ${reason} (example: "${field}": ${ROUTE_FIELD_EXAMPLES[field]})`;

function kindOf(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Field by field, then the checks between fields; the route when there is no problem. */
function checkEntry(
  raw: Record<string, unknown>,
  exchangeAudiences: readonly string[],
): { route?: ApiRoute; reasons: string[] } {
  const reasons = Object.keys(raw)
    .filter((key) => !(ROUTE_FIELDS as string[]).includes(key))
    .map(
      (key) => `${JSON.stringify(key)} is not a route field (fields: ${ROUTE_FIELDS.join(', ')})`,
    );
  // Only known fields reach class-transformer: a key such as __proto__ never does.
  const known = Object.fromEntries(
    ROUTE_FIELDS.filter((field) => Object.hasOwn(raw, field)).map((field) => [field, raw[field]]),
  );
  const entry = plainToInstance(ApiRouteEntry, known, {
    enableImplicitConversion: false,
    exposeDefaultValues: true,
  });
  const errors = validateSync(entry, { forbidUnknownValues: true });
  const bad = new Set(errors.map((e) => e.property));
  for (const field of ROUTE_FIELDS) {
    const error = errors.find((e) => e.property === field);
    if (error) {
      reasons.push(fieldLine(field, Object.values(error.constraints ?? {}).join('; ')));
    }
  }

  // null counts as left out, like a missing field.
  const audience = entry.audience ?? undefined;
  const scope = entry.scope ?? undefined;
  const roles = entry.roles ?? undefined;
  // Between fields: only where each field involved is valid on its own.
  if (!bad.has('token')) {
    const policy = entry.token;
    const withAudience = POLICIES_WITH_AUDIENCE.includes(policy);
    if (policy === 'exchange' && audience === undefined && !bad.has('audience')) {
      reasons.push(
        fieldLine('audience', 'is required with token exchange: the client id the token is for'),
      );
    }
    if (audience !== undefined && !bad.has('audience') && !withAudience) {
      reasons.push(
        fieldLine('audience', `is only for token exchange and user-or-none, not ${policy}`),
      );
    }
    if (scope !== undefined && !bad.has('scope') && !(withAudience && audience !== undefined)) {
      reasons.push(
        fieldLine(
          'scope',
          'narrows an exchanged token: it needs token exchange (or user-or-none) with an audience',
        ),
      );
    }
    if (
      roles !== undefined &&
      !bad.has('roles') &&
      (policy === 'none' || policy === 'user-or-none')
    ) {
      reasons.push(
        fieldLine('roles', `need a signed-in caller, which token ${policy} does not require`),
      );
    }
  }
  if (audience !== undefined && !bad.has('audience') && !exchangeAudiences.includes(audience)) {
    reasons.push(
      fieldLine(
        'audience',
        `'${audience}' is not in TOKEN_EXCHANGE_AUDIENCES (${exchangeAudiences.join(', ') || 'empty'}): add it there`,
      ),
    );
  }
  if (!bad.has('prefix')) {
    for (const own of BFF_OWN_PREFIXES) {
      if (prefixesOverlap(entry.prefix, own)) {
        reasons.push(fieldLine('prefix', `overlaps the BFF's own ${own} routes`));
      }
    }
  }
  if (reasons.length > 0) {
    return { reasons };
  }
  const route = {
    prefix: entry.prefix,
    target: normaliseTarget(entry.target),
    token: entry.token,
    ...(audience === undefined ? {} : { audience }),
    ...(scope === undefined ? {} : { scope }),
    roles: roles ?? [],
    timeoutMs: entry.timeoutMs,
    bodyLimitBytes: entry.bodyLimitBytes,
    stripPrefix: entry.stripPrefix,
    websocket: entry.websocket,
  } as ApiRoute;
  return { route, reasons };
}

/** Validates the text of a routes file. `file` is only used to name it in the problems. */
export function parseApiRoutes(
  text: string,
  file: string,
  exchangeAudiences: readonly string[],
): ApiRoutesResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err: unknown) {
    return { routes: [], problems: [`${file} is not valid JSON: ${(err as Error).message}`] };
  }
  if (!Array.isArray(parsed)) {
    return {
      routes: [],
      problems: [`${file} must hold an array of routes at the top level, not ${kindOf(parsed)}`],
    };
  }
  const routes: ApiRoute[] = [];
  const problems: string[] = [];
  // Prefixes of the routes before, to find duplicates and overlaps; a bad prefix is not compared.
  const earlier: { index: number; prefix: string }[] = [];
  parsed.forEach((raw: unknown, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(
        `${file}: ${routeLabel(index, undefined)} must be an object, not ${kindOf(raw)}`,
      );
      return;
    }
    const entry = raw as Record<string, unknown>;
    const { route, reasons } = checkEntry(entry, exchangeAudiences);
    const prefix = entry.prefix;
    if (typeof prefix === 'string' && prefixProblem(prefix) === undefined) {
      for (const other of earlier.filter((e) => prefixesOverlap(prefix, e.prefix))) {
        reasons.push(
          other.prefix === prefix
            ? `prefix duplicates ${routeLabel(other.index, other.prefix)}`
            : `prefix overlaps ${routeLabel(other.index, other.prefix)}: one is a path-segment prefix of the other`,
        );
      }
      earlier.push({ index, prefix });
    }
    const label = routeLabel(index, prefix);
    problems.push(...reasons.map((reason) => `${file}: ${label}: ${reason}`));
    if (route && reasons.length === 0) {
      routes.push(route);
    }
  });
  return { routes: problems.length > 0 ? [] : routes, problems };
}

/** Reads and validates the routes file named by API_ROUTES_FILE. */
export function readApiRoutes(file: string, exchangeAudiences: readonly string[]): ApiRoutesResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    return {
      routes: [],
      problems: [`${file} cannot be read (${code}) (example: API_ROUTES_FILE=api-routes.json)`],
    };
  }
  return parseApiRoutes(text, file, exchangeAudiences);
}

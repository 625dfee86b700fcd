import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  type Metric,
  Registry,
} from 'prom-client';
import { ProblemError } from '../errors/problem.error';
import { metricsConfig } from '../../config/metrics.config';

/** How a call to Keycloak ended: its status class, or no answer at all. */
export type KeycloakCallOutcome = StatusClass | 'timeout' | 'unreachable';

/** What the BFF asked Keycloak for: a bounded list, so it can be a label. */
export type KeycloakOperation =
  | 'password_grant'
  | 'refresh'
  | 'authorization_code'
  | 'exchange'
  | 'client_credentials'
  | 'admin_token'
  | 'userinfo'
  | 'logout'
  | 'admin'
  | 'discovery'
  | 'certs';

/** Why a session ended. */
export type SessionEndReason =
  'logout' | 'back_channel' | 'expired' | 'refresh_refused' | 'revoked';

/** Which login flow: POST /auth/login (password grant) or the browser's code flow (session mode). */
export type LoginFlow = 'password' | 'session';

/** What a request waited on someone else for instead of doing it again. */
export type SingleFlight = 'refresh' | 'jwks';

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** Route label of requests that matched no route: raw paths would make the label unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * An outcome is `ok` or one of our error codes (SCREAMING_SNAKE, table-driven per module). Any
 * other value becomes `other`: a label must never carry what a caller sent.
 */
const OUTCOME = /^(ok|[A-Z][A-Z0-9_]{0,63})$/;
/** The login throttlers' names (auth's LOGIN_THROTTLERS). */
export type RateLimit = 'login-ip' | 'login-username' | 'login-start-ip';

/** Label kinds whose values come from the operator's config: only values allowed here pass. */
export type NamedLabel = 'audience' | 'route';

export function outcomeLabel(outcome: string): string {
  return OUTCOME.test(outcome) ? outcome : 'other';
}

/** The outcome label of a failure: our error's code, INTERNAL for anything else (a bug). */
export function codeOf(err: unknown): string {
  return err instanceof ProblemError ? err.code : 'INTERNAL';
}

export function statusClassOf(status: number): StatusClass {
  if (status >= 500) {
    return '5xx';
  }
  if (status >= 400) {
    return '4xx';
  }
  if (status >= 300) {
    return '3xx';
  }
  return status >= 200 ? '2xx' : '1xx';
}

// Buckets in seconds: a verified request takes well under a millisecond, a login tens to hundreds.
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const KEYCLOAK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The BFF's Prometheus metrics: one registry per app, the process/Node defaults plus one typed
 * method per event, so call sites cannot invent a metric name or an unbounded label. With
 * METRICS_PORT=off every method returns at once and nothing is registered. Imports nothing from
 * a feature folder: src/keycloak/ records its calls here.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly enabled: boolean;

  private readonly httpDuration = new Histogram({
    name: 'bff_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: HTTP_BUCKETS,
    registers: [],
  });
  private readonly httpInFlight = new Gauge({
    name: 'bff_http_requests_in_flight',
    help: 'HTTP requests being served',
    registers: [],
  });
  private readonly tokenChecks = new Counter({
    name: 'bff_token_verifications_total',
    help: 'Bearer token verifications, by outcome (ok or the error code)',
    labelNames: ['outcome'] as const,
    registers: [],
  });
  private readonly tokenCacheLookups = new Counter({
    name: 'bff_token_cache_lookups_total',
    help: 'Verified-token cache lookups, by result (hit or miss)',
    labelNames: ['result'] as const,
    registers: [],
  });
  private readonly tokenCacheEntries = new Gauge({
    name: 'bff_token_cache_entries',
    help: 'Tokens in the verified-token cache',
    registers: [],
  });
  private readonly jwksFetches = new Counter({
    name: 'bff_jwks_fetches_total',
    help: "Fetches of the realm's JWKS, by outcome (ok or the error code)",
    labelNames: ['outcome'] as const,
    registers: [],
  });
  private readonly jwksKeys = new Gauge({
    name: 'bff_jwks_keys',
    help: 'Signing keys held from the realm JWKS',
    registers: [],
  });
  private readonly jwksAge = new Gauge({
    name: 'bff_jwks_seconds_since_last_success',
    help: 'Seconds since the JWKS was last fetched successfully (-1: never)',
    registers: [],
  });
  private readonly keycloakCalls = new Counter({
    name: 'bff_keycloak_requests_total',
    help: 'Calls to Keycloak, by operation and outcome (status class, timeout or unreachable)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [],
  });
  private readonly keycloakDuration = new Histogram({
    name: 'bff_keycloak_request_duration_seconds',
    help: 'Latency of calls to Keycloak, by operation',
    labelNames: ['operation'] as const,
    buckets: KEYCLOAK_BUCKETS,
    registers: [],
  });
  private readonly adminTokenGrants = new Counter({
    name: 'bff_keycloak_admin_token_grants_total',
    help: 'Admin API tokens obtained from Keycloak, by outcome',
    labelNames: ['outcome'] as const,
    registers: [],
  });
  private readonly logins = new Counter({
    name: 'bff_logins_total',
    help: 'Logins, by flow (password or session) and outcome (ok or the error code)',
    labelNames: ['flow', 'outcome'] as const,
    registers: [],
  });
  private readonly refreshes = new Counter({
    name: 'bff_refreshes_total',
    help: 'Token refreshes, by flow (password or session) and outcome (ok or the error code)',
    labelNames: ['flow', 'outcome'] as const,
    registers: [],
  });
  private readonly singleFlightJoins = new Counter({
    name: 'bff_single_flight_joins_total',
    help: "Requests that waited on another request's refresh or JWKS fetch instead of starting one",
    labelNames: ['what'] as const,
    registers: [],
  });
  private readonly rateLimited = new Counter({
    name: 'bff_rate_limited_total',
    help: 'Requests refused with 429 RATE_LIMITED, by limit',
    labelNames: ['limit'] as const,
    registers: [],
  });
  private readonly sessionsCreated = new Counter({
    name: 'bff_sessions_created_total',
    help: 'Sessions created (session mode)',
    registers: [],
  });
  private readonly activeSessions = new Gauge({
    name: 'bff_sessions_active',
    help: 'Sessions held (memory store only: Redis is not scanned)',
    registers: [],
  });
  private readonly sessionsEnded = new Counter({
    name: 'bff_sessions_ended_total',
    help: 'Sessions ended, by reason',
    labelNames: ['reason'] as const,
    registers: [],
  });
  private readonly backChannelLogouts = new Counter({
    name: 'bff_backchannel_logout_tokens_total',
    help: 'Back-channel logout tokens received, by outcome (ok or the error code)',
    labelNames: ['outcome'] as const,
    registers: [],
  });
  private readonly tokenExchanges = new Counter({
    name: 'bff_token_exchanges_total',
    help: 'Token exchanges, by audience and outcome (ok or the error code)',
    labelNames: ['audience', 'outcome'] as const,
    registers: [],
  });
  private readonly proxyDuration = new Histogram({
    name: 'bff_proxy_request_duration_seconds',
    help: 'Proxied API requests and their upstream latency, by route and status class',
    labelNames: ['route', 'status_class'] as const,
    buckets: KEYCLOAK_BUCKETS,
    registers: [],
  });
  private readonly upstreamErrors = new Counter({
    name: 'bff_upstream_errors_total',
    help: 'Proxied requests whose upstream failed, by error code',
    labelNames: ['code'] as const,
    registers: [],
  });

  private readonly samplers: (() => void)[] = [];
  /**
   * The per-request series, resolved once per label set: prom-client hashes and validates a
   * labels object on every call otherwise, which the bench saw on the guarded route.
   */
  private readonly httpSeries = new Map<string, { observe(seconds: number): void }>();
  private readonly cacheHits = this.tokenCacheLookups.labels({ result: 'hit' });
  private readonly cacheMisses = this.tokenCacheLookups.labels({ result: 'miss' });
  private readonly allowed: Record<NamedLabel, Set<string>> = {
    audience: new Set(),
    route: new Set(),
  };

  constructor(@Inject(metricsConfig.KEY) config: ConfigType<typeof metricsConfig>) {
    this.enabled = config.enabled;
    if (!this.enabled) {
      return;
    }
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters, which `promtool check metrics` rejects; the same numbers are
    // in nodejs_active_{handles,requests,resources} by type.
    for (const misnamed of LINT_FAILING_DEFAULTS) {
      this.registry.removeSingleMetric(misnamed);
    }
    for (const metric of [
      this.httpDuration,
      this.httpInFlight,
      this.tokenChecks,
      this.tokenCacheLookups,
      this.tokenCacheEntries,
      this.jwksFetches,
      this.jwksKeys,
      this.jwksAge,
      this.keycloakCalls,
      this.keycloakDuration,
      this.adminTokenGrants,
      this.logins,
      this.refreshes,
      this.singleFlightJoins,
      this.rateLimited,
      this.sessionsCreated,
      this.activeSessions,
      this.sessionsEnded,
      this.backChannelLogouts,
      this.tokenExchanges,
      this.proxyDuration,
      this.upstreamErrors,
    ] as Metric[]) {
      this.registry.registerMetric(metric);
    }
    // Series that exist before their first event, so rate() and absent() see a 0 from the start.
    this.tokenCacheLookups.inc({ result: 'hit' }, 0);
    this.tokenCacheLookups.inc({ result: 'miss' }, 0);
    this.sessionsCreated.inc(0);
  }

  /** The text exposition format, after reading the gauges that are sampled at scrape time. */
  async scrape(): Promise<string> {
    for (const sample of this.samplers) {
      sample();
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Registers a reading taken at each scrape (cache size, keys held, JWKS age): the owner keeps
   * its state, the registry asks for it only when someone looks.
   */
  sampleAtScrape(sample: () => void): void {
    this.samplers.push(sample);
  }

  /**
   * Values a label of this kind may carry, from the operator's config (token-exchange audiences,
   * the routes file's route names); any other value is recorded as `other`. Owners call it once
   * at start.
   */
  allowLabels(kind: NamedLabel, values: readonly string[]): void {
    for (const value of values) {
      this.allowed[kind].add(value);
    }
  }

  private named(kind: NamedLabel, value: string): string {
    return this.allowed[kind].has(value) ? value : 'other';
  }

  httpRequestStarted(): void {
    if (this.enabled) {
      this.httpInFlight.inc();
    }
  }

  /** The response completed or its connection closed: once per httpRequestStarted. */
  httpRequestFinished(): void {
    if (this.enabled) {
      this.httpInFlight.dec();
    }
  }

  /** `route` is the matched route template (`/users/:id`), or UNMATCHED_ROUTE. */
  httpRequestEnded(method: string, route: string, status: number, seconds: number): void {
    if (!this.enabled) {
      return;
    }
    const statusClass = statusClassOf(status);
    const knownMethod = METHODS.has(method) ? method : 'other';
    const key = `${knownMethod} ${statusClass} ${route}`;
    let series = this.httpSeries.get(key);
    if (series === undefined) {
      series = this.httpDuration.labels({
        method: knownMethod,
        route,
        status_class: statusClass,
      });
      this.httpSeries.set(key, series);
    }
    series.observe(seconds);
  }

  tokenCheck(outcome: string): void {
    if (this.enabled) {
      this.tokenChecks.inc({ outcome: outcomeLabel(outcome) });
    }
  }

  tokenCacheLookup(hit: boolean): void {
    if (this.enabled) {
      (hit ? this.cacheHits : this.cacheMisses).inc();
    }
  }

  tokenCacheSize(entries: number): void {
    if (this.enabled) {
      this.tokenCacheEntries.set(entries);
    }
  }

  jwksFetch(outcome: string): void {
    if (this.enabled) {
      this.jwksFetches.inc({ outcome: outcomeLabel(outcome) });
    }
  }

  /** `secondsSinceSuccess` is undefined while no fetch has succeeded yet. */
  jwksState(keys: number, secondsSinceSuccess: number | undefined): void {
    if (this.enabled) {
      this.jwksKeys.set(keys);
      this.jwksAge.set(secondsSinceSuccess ?? -1);
    }
  }

  keycloakCall(operation: KeycloakOperation, outcome: KeycloakCallOutcome, seconds: number): void {
    if (!this.enabled) {
      return;
    }
    this.keycloakCalls.inc({ operation, outcome });
    this.keycloakDuration.observe({ operation }, seconds);
  }

  adminTokenGrant(outcome: string): void {
    if (this.enabled) {
      this.adminTokenGrants.inc({ outcome: outcomeLabel(outcome) });
    }
  }

  login(flow: LoginFlow, outcome: string): void {
    if (this.enabled) {
      this.logins.inc({ flow, outcome: outcomeLabel(outcome) });
    }
  }

  refresh(flow: LoginFlow, outcome: string): void {
    if (this.enabled) {
      this.refreshes.inc({ flow, outcome: outcomeLabel(outcome) });
    }
  }

  singleFlightJoin(what: SingleFlight): void {
    if (this.enabled) {
      this.singleFlightJoins.inc({ what });
    }
  }

  rateLimit(limit: RateLimit): void {
    if (this.enabled) {
      this.rateLimited.inc({ limit });
    }
  }

  sessionCreated(): void {
    if (this.enabled) {
      this.sessionsCreated.inc();
    }
  }

  sessionsActive(count: number): void {
    if (this.enabled) {
      this.activeSessions.set(count);
    }
  }

  sessionEnded(reason: SessionEndReason, count = 1): void {
    if (this.enabled) {
      this.sessionsEnded.inc({ reason }, count);
    }
  }

  backChannelLogout(outcome: string): void {
    if (this.enabled) {
      this.backChannelLogouts.inc({ outcome: outcomeLabel(outcome) });
    }
  }

  /** `audience`: an allowed audience (allowLabels), or `none`/`multiple`; anything else is `other`. */
  tokenExchange(audience: string, outcome: string): void {
    if (this.enabled) {
      const label =
        audience === 'none' || audience === 'multiple'
          ? audience
          : this.named('audience', audience);
      this.tokenExchanges.inc({ audience: label, outcome: outcomeLabel(outcome) });
    }
  }

  /** `route`: the routes file's route name (allowLabels), never the request's path. */
  proxyRequest(route: string, status: number, seconds: number): void {
    if (this.enabled) {
      this.proxyDuration.observe(
        { route: this.named('route', route), status_class: statusClassOf(status) },
        seconds,
      );
    }
  }

  upstreamError(code: string): void {
    if (this.enabled) {
      this.upstreamErrors.inc({ code: outcomeLabel(code) });
    }
  }
}

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

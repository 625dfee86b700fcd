import { createPublicKey, type KeyObject } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwksClient } from 'jwks-rsa';
import { Clock } from '../common/clock/clock';
import { ProblemError } from '../common/errors/problem.error';
import { keycloakConfig } from '../config/keycloak.config';
import { MetricsService } from '../common/metrics/metrics.service';
import { JWK_SET } from './keycloak-answers';
import { callKeycloak } from './keycloak-http';
import { KeycloakResponseError } from './keycloak.errors';
import { OidcDiscoveryService } from './oidc-discovery.service';
import { JwksUnavailableError, TokenRejectedError } from './token.errors';

/** Signature algorithms we accept. Never `none`, never HMAC: a public key is not a shared secret. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export function isAsymmetricAlgorithm(alg: unknown): alg is AsymmetricAlgorithm {
  return typeof alg === 'string' && (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

export interface VerificationKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  /** Parsed once: re-parsing a PEM per request costs several times the signature check. */
  key: KeyObject;
}

// With no key at all, retry sooner than the cooldown: nothing can be verified meanwhile.
const EMPTY_RETRY_MS = 1000;
// Kids a fetch has shown not to exist. Bounded: a flood of random kids only evicts older ones.
const MAX_REFUTED_KIDS = 10_000;

/** Told which kids left the realm's key set, so caches of tokens they signed can drop them. */
export type KeysRemovedListener = (kids: readonly string[]) => void;

/**
 * The realm's signing keys, parsed into KeyObjects and cached per `kid`.
 *
 * - Loaded at start and refreshed every JWKS_REFRESH_INTERVAL_MS, so a key disabled or removed
 *   in Keycloak stops being trusted within that interval (plus one HTTP timeout) even when no
 *   token with an unknown kid ever arrives. A failed fetch keeps the keys we have
 *   (stale-if-error), so verification survives an IdP outage.
 * - An unknown `kid` fetches the set early, at most once per JWKS_REFETCH_COOLDOWN_MS, shared by
 *   all concurrent callers. Without the key nothing tells a rotated key's token from a forged
 *   one, so the cooldown is both the flood budget (≤ 1 fetch per cooldown) and the longest a
 *   rotated key can be refused, whatever an attacker sends. A kid that a fetch started after
 *   its arrival did not find is remembered as refuted and never triggers another fetch:
 *   replaying a forged token costs nothing and cannot hold a rotation off.
 */
@Injectable()
export class JwksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JwksService.name);
  private keys = new Map<string, VerificationKey>();
  private readonly refuted = new Set<string>();
  private readonly removedListeners: KeysRemovedListener[] = [];
  private inFlight?: Promise<void>;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError?: JwksUnavailableError;
  private client?: { uri: string; jwks: JwksClient };
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** When the last fetch succeeded (epoch ms), for readiness and diagnostics. */
  lastSuccessAt?: number;

  constructor(
    private readonly http: HttpService,
    private readonly discovery: OidcDiscoveryService,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    metrics?.sampleAtScrape(() =>
      metrics.jwksState(
        this.keys.size,
        this.lastSuccessAt === undefined
          ? undefined
          : (this.clock.now() - this.lastSuccessAt) / 1000,
      ),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch((err: unknown) =>
      this.logger.warn({ msg: 'JWKS not loaded at start; will retry on first use', err }),
    );
    this.schedulePeriodicRefresh();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Key ids currently cached (for readiness and diagnostics). */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** The realm's signing algorithms, from its keys. */
  get algorithms(): AsymmetricAlgorithm[] {
    return [...new Set([...this.keys.values()].map((k) => k.alg))];
  }

  /** Whether the realm's current key set has this kid (no fetch). */
  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  /** The key cached for a kid, without any fetch (the verifier re-checks a refused signature). */
  cached(kid: string): VerificationKey | undefined {
    return this.keys.get(kid);
  }

  /** Registers a listener for kids that a fetch no longer found. */
  onKeysRemoved(listener: KeysRemovedListener): void {
    this.removedListeners.push(listener);
  }

  async getKey(kid: string): Promise<VerificationKey> {
    const cached = this.keys.get(kid);
    if (cached) {
      return cached;
    }
    const empty = this.keys.size === 0;
    const wait = empty ? EMPTY_RETRY_MS : this.config.jwksRefetchCooldownMs;
    if (
      (empty || !this.refuted.has(kid)) &&
      (this.inFlight || this.clock.now() - this.lastAttemptAt >= wait)
    ) {
      const arrivedAt = this.clock.now();
      await this.refresh().catch(() => undefined);
      const fetched = this.keys.get(kid);
      if (fetched) {
        return fetched;
      }
      // Only a fetch that started after this kid arrived refutes it: a key published while an
      // earlier fetch was on its way must get its own chance.
      if (this.lastError === undefined && this.lastAttemptAt >= arrivedAt) {
        this.refute(kid);
      }
    }
    if (this.keys.size === 0 && this.lastError) {
      throw this.lastError;
    }
    throw new TokenRejectedError(
      'TOKEN_UNKNOWN_KEY',
      `The token was signed with key '${kid}', which the realm's JWKS does not contain`,
      { hint: 'The token comes from another realm or server, or from a key that was removed.' },
    );
  }

  /** Fetch now (single-flight); on failure the current keys stay. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.metrics?.singleFlightJoin('jwks');
    }
    this.inFlight ??= this.fetchKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private schedulePeriodicRefresh(): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      void this.refresh()
        .catch(() => undefined)
        .finally(() => this.schedulePeriodicRefresh());
    }, this.config.jwksRefreshIntervalMs);
    // A pending refresh must not keep a finished process (or a test) alive.
    this.timer.unref();
  }

  private refute(kid: string): void {
    if (this.refuted.size >= MAX_REFUTED_KIDS) {
      const oldest = this.refuted.values().next();
      if (!oldest.done) {
        this.refuted.delete(oldest.value);
      }
    }
    this.refuted.add(kid);
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttemptAt = this.clock.now();
    let uri = '(unknown: discovery not loaded)';
    try {
      uri = (await this.discovery.getEndpoints()).jwks;
      const keys = await this.loadFrom(uri);
      this.replaceKeys(new Map(keys.map((k) => [k.kid, k])), uri);
      this.lastError = undefined;
      this.lastSuccessAt = this.clock.now();
      this.metrics?.jwksFetch('ok');
    } catch (err: unknown) {
      this.lastError = this.describe(err, uri);
      this.metrics?.jwksFetch(this.lastError.code);
      this.logger.warn({
        msg: 'JWKS fetch failed; keeping the keys we have',
        uri,
        status: err instanceof KeycloakResponseError ? err.upstream?.status : undefined,
        cachedKeys: this.keys.size,
        err,
      });
      throw this.lastError;
    }
  }

  private replaceKeys(next: Map<string, VerificationKey>, uri: string): void {
    const removed = this.kids.filter((kid) => !next.has(kid));
    const added = [...next.keys()].filter((kid) => !this.keys.has(kid));
    this.keys = next;
    added.forEach((kid) => this.refuted.delete(kid));
    if (added.length > 0 || removed.length > 0) {
      this.logger.log({ msg: 'JWKS changed', uri, added, removed });
    } else {
      this.logger.debug({ msg: 'JWKS loaded', uri, kids: this.kids });
    }
    if (removed.length > 0) {
      for (const listener of this.removedListeners) {
        listener(removed);
      }
    }
  }

  /** Fetches and parses a JWKS without touching the cache (doctor uses it on any URI). */
  async loadFrom(uri: string): Promise<VerificationKey[]> {
    try {
      const keys: VerificationKey[] = [];
      for (const signingKey of await this.jwksClient(uri).getSigningKeys()) {
        const alg = signingKey.alg;
        if (signingKey.kid && isAsymmetricAlgorithm(alg)) {
          keys.push({ kid: signingKey.kid, alg, key: createPublicKey(signingKey.getPublicKey()) });
        }
      }
      if (keys.length === 0) {
        throw new JwksUnavailableError(
          `The realm's JWKS at ${uri} has no RSA/EC signing key we accept`,
        );
      }
      return keys;
    } catch (err: unknown) {
      throw this.describe(err, uri);
    }
  }

  private describe(err: unknown, uri: string): JwksUnavailableError {
    if (err instanceof JwksUnavailableError) {
      return err;
    }
    if (err instanceof KeycloakResponseError) {
      return new JwksUnavailableError(
        `The certs endpoint answered ${err.upstream?.status ?? '?'} (${uri})`,
        err,
      );
    }
    if (err instanceof ProblemError) {
      return new JwksUnavailableError(
        `The certs endpoint could not be fetched: ${err.detail}`,
        err,
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    return new JwksUnavailableError(
      `The realm's JWKS at ${uri} could not be used: ${message}`,
      err,
    );
  }

  /** jwks-rsa turns JWKs into keys; the fetch goes through our HTTP layer (User-Agent, timeout, errors). */
  private jwksClient(uri: string): JwksClient {
    if (this.client?.uri !== uri) {
      const jwks = new JwksClient({
        jwksUri: uri,
        cache: false,
        rateLimit: false,
        fetcher: (jwksUri: string) =>
          callKeycloak(
            { endpoint: 'jwks', operation: 'JWKS request', answer: JWK_SET },
            () => this.http.axiosRef.get(jwksUri),
            this.metrics,
          ),
      });
      this.client = { uri, jwks };
    }
    return this.client.jwks;
  }
}

import { createPublicKey, type KeyObject } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwksClient } from 'jwks-rsa';
import { JwksUnavailableError, TokenRejectedError } from '../auth/auth.errors';
import { ProblemError } from '../common/errors/problem.error';
import { authConfig } from '../config/auth.config';
import { callKeycloak } from './keycloak-http';
import { KeycloakResponseError } from './keycloak.errors';
import { OidcDiscoveryService } from './oidc-discovery.service';

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

/**
 * The realm's signing keys, parsed into KeyObjects and cached per `kid`. Loaded at start; an
 * unknown `kid` triggers at most one fetch per cooldown, shared by all concurrent callers; a
 * failed fetch keeps the keys we have (stale-if-error), so verification survives an IdP outage.
 */
@Injectable()
export class JwksService implements OnApplicationBootstrap {
  private readonly logger = new Logger(JwksService.name);
  private keys = new Map<string, VerificationKey>();
  private inFlight?: Promise<void>;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError?: JwksUnavailableError;
  private client?: { uri: string; jwks: JwksClient };
  /** Fetches made so far, for the benchmark and tests. */
  fetchCount = 0;

  constructor(
    private readonly http: HttpService,
    private readonly discovery: OidcDiscoveryService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** The clock; tests replace it. */
  now: () => number = Date.now;

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch((err: unknown) =>
      this.logger.warn({ msg: 'JWKS not loaded at start; will retry on first use', err }),
    );
  }

  /** Key ids currently cached (for readiness and diagnostics). */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** The realm's signing algorithms, from its keys. */
  get algorithms(): AsymmetricAlgorithm[] {
    return [...new Set([...this.keys.values()].map((k) => k.alg))];
  }

  async getKey(kid: string): Promise<VerificationKey> {
    const cached = this.keys.get(kid);
    if (cached) {
      return cached;
    }
    const wait = this.keys.size > 0 ? this.config.jwksRefetchCooldownMs : EMPTY_RETRY_MS;
    if (this.inFlight || this.now() - this.lastAttemptAt >= wait) {
      await this.refresh().catch(() => undefined);
    }
    const fetched = this.keys.get(kid);
    if (fetched) {
      return fetched;
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
    this.inFlight ??= this.fetchKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttemptAt = this.now();
    this.fetchCount++;
    let uri = '(unknown: discovery not loaded)';
    try {
      uri = (await this.discovery.getEndpoints()).jwks;
      const keys = await this.loadFrom(uri);
      this.keys = new Map(keys.map((k) => [k.kid, k]));
      this.lastError = undefined;
      this.logger.debug({ msg: 'JWKS loaded', uri, kids: this.kids });
    } catch (err: unknown) {
      this.lastError = this.describe(err, uri);
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
          callKeycloak('jwks', () => this.http.axiosRef.get<{ keys: unknown[] }>(jwksUri)),
      });
      this.client = { uri, jwks };
    }
    return this.client.jwks;
  }
}

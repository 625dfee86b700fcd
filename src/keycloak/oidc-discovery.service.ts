import { HttpService } from '@nestjs/axios';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '../config/keycloak.config';
import { MetricsService } from '../common/metrics/metrics.service';
import { DISCOVERY_DOCUMENT } from './keycloak-answers';
import { callKeycloak } from './keycloak-http';
import { KeycloakError, KeycloakResponseError } from './keycloak.errors';

/** The parts of the realm's OpenID Provider Metadata the BFF uses. */
export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  id_token_signing_alg_values_supported?: string[];
  grant_types_supported?: string[];
  [key: string]: unknown;
}

/** Endpoints the BFF calls server-side, rewritten to KEYCLOAK_URL when that differs from the public URL. */
export interface BackchannelEndpoints {
  /** Browsers get the public one; only a server-side probe of the browser flow calls this. */
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
  endSession?: string;
  revocation?: string;
  introspection?: string;
}

export class RealmNotFoundError extends KeycloakError {
  constructor(realm: string, url: string, cause?: unknown) {
    super('REALM_NOT_FOUND', `Keycloak at ${url} has no realm '${realm}'`, {
      hint: 'Check KEYCLOAK_REALM (realm names are case-sensitive) and KEYCLOAK_URL.',
      cause,
    });
  }
}

const START_ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/**
 * Loads `/.well-known/openid-configuration` once at start (retrying with backoff) and keeps
 * retrying in the background if Keycloak is down, so the BFF starts, reports not-ready, and
 * recovers by itself. Endpoints are never hard-coded.
 */
@Injectable()
export class OidcDiscoveryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OidcDiscoveryService.name);
  private metadata?: OidcMetadata;
  private backchannel?: BackchannelEndpoints;
  private inFlight?: Promise<OidcMetadata>;
  private retryTimer?: NodeJS.Timeout;
  private lastError?: unknown;

  constructor(
    private readonly http: HttpService,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    let delay = FIRST_BACKOFF_MS;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        await this.load();
        return;
      } catch {
        // lastError keeps the cause for the warning below and for readiness.
        if (attempt < START_ATTEMPTS) {
          await sleep(delay);
          delay *= 2;
        }
      }
    }
    this.logger.warn({
      msg: 'OIDC discovery failed at start; the BFF reports not-ready and keeps retrying',
      url: this.config.discoveryUrl,
      err: this.lastError,
    });
    this.scheduleRetry(delay);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retryTimer);
  }

  get isLoaded(): boolean {
    return this.metadata !== undefined;
  }

  /** Why the last load failed, for readiness details. */
  get lastFailure(): unknown {
    return this.lastError;
  }

  /** The metadata, loading it now if start-up could not (single-flight). */
  async getMetadata(): Promise<OidcMetadata> {
    return this.metadata ?? this.load();
  }

  async getEndpoints(): Promise<BackchannelEndpoints> {
    await this.getMetadata();
    return this.backchannel as BackchannelEndpoints;
  }

  /**
   * Where Keycloak serves the realm's keys by convention, for diagnosing a realm whose discovery
   * document cannot be read; everything else takes `jwks_uri` from discovery.
   */
  get conventionalJwksUri(): string {
    return `${this.config.url}/realms/${encodeURIComponent(this.config.realm)}/protocol/openid-connect/certs`;
  }

  /** A fresh round-trip to Keycloak, for readiness. Also completes a late first load. */
  async probe(): Promise<void> {
    this.inFlight = undefined;
    await this.load();
  }

  private load(): Promise<OidcMetadata> {
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetch(): Promise<OidcMetadata> {
    try {
      const metadata = await callKeycloak(
        { endpoint: 'discovery', operation: 'discovery request', answer: DISCOVERY_DOCUMENT },
        () => this.http.axiosRef.get(this.config.discoveryUrl),
        this.metrics,
      );
      if (!this.metadata) {
        this.logger.log({ msg: 'OIDC discovery loaded', issuer: metadata.issuer });
        if (metadata.issuer !== this.config.expectedIssuer) {
          this.logger.warn({
            msg: 'The realm issuer differs from the configured public issuer; tokens will be rejected. Set KEYCLOAK_PUBLIC_URL to the URL in the issuer.',
            expected: this.config.expectedIssuer,
            actual: metadata.issuer,
          });
        }
      }
      this.metadata = metadata;
      this.backchannel = this.toBackchannel(metadata);
      this.lastError = undefined;
      return metadata;
    } catch (err: unknown) {
      const narrowed =
        err instanceof KeycloakResponseError && err.upstream?.status === 404
          ? new RealmNotFoundError(this.config.realm, this.config.url, err)
          : err;
      this.lastError = narrowed;
      throw narrowed;
    }
  }

  /**
   * Keycloak writes its public hostname into the metadata; a BFF that reaches Keycloak on an
   * internal address must call that address instead.
   */
  private toBackchannel(metadata: OidcMetadata): BackchannelEndpoints {
    const { url, publicUrl } = this.config;
    const rewrite = <T extends string | undefined>(endpoint: T): T =>
      (endpoint !== undefined && url !== publicUrl && endpoint.startsWith(publicUrl)
        ? `${url}${endpoint.slice(publicUrl.length)}`
        : endpoint) as T;
    return {
      authorization: rewrite(metadata.authorization_endpoint),
      token: rewrite(metadata.token_endpoint),
      userinfo: rewrite(metadata.userinfo_endpoint),
      jwks: rewrite(metadata.jwks_uri),
      endSession: rewrite(metadata.end_session_endpoint),
      revocation: rewrite(metadata.revocation_endpoint),
      introspection: rewrite(metadata.introspection_endpoint),
    };
  }

  private scheduleRetry(delay: number): void {
    this.retryTimer = setTimeout(() => {
      this.load().then(
        () => this.logger.log('OIDC discovery loaded after retrying'),
        () => this.scheduleRetry(Math.min(delay * 2, MAX_BACKOFF_MS)),
      );
    }, delay);
    // A pending retry must not keep a shutting-down process alive.
    this.retryTimer.unref();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

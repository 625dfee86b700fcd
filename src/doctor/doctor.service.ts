import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { decode, type JwtPayload } from 'jsonwebtoken';
import { ProblemError } from '../common/errors/problem.error';
import { adminConfig } from '../config/admin.config';
import { authConfig } from '../config/auth.config';
import { doctorConfig } from '../config/doctor.config';
import { keycloakConfig } from '../config/keycloak.config';
import { JwksService } from '../keycloak/jwks.service';
import { KeycloakTokenClient, type KeycloakTokenResponse } from '../keycloak/keycloak-token.client';
import { type OidcMetadata, OidcDiscoveryService } from '../keycloak/oidc-discovery.service';
import { describeError, upstreamText } from './doctor-errors';
import { DoctorProbes } from './doctor-probes';
import { type CheckResult, type CheckStatus, type DoctorReport, worst } from './doctor.types';

type Claims = JwtPayload & {
  scope?: string;
  resource_access?: Record<string, { roles?: string[] }>;
};

/** What the checks learn along the way; later checks use what earlier ones found. */
interface Findings {
  metadata?: OidcMetadata;
  clientAuthenticated: boolean;
  serviceToken?: KeycloakTokenResponse;
  userToken?: KeycloakTokenResponse;
}

/**
 * Checks a live Keycloak setup against this BFF's configuration and names each problem with its
 * fix. Uses the service's own clients (same HTTP layer, User-Agent, error narrowing).
 */
@Injectable()
export class DoctorService {
  constructor(
    private readonly discovery: OidcDiscoveryService,
    private readonly jwks: JwksService,
    private readonly tokens: KeycloakTokenClient,
    private readonly probes: DoctorProbes,
    @Inject(keycloakConfig.KEY) private readonly keycloak: ConfigType<typeof keycloakConfig>,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(adminConfig.KEY) private readonly admin: ConfigType<typeof adminConfig>,
    @Inject(doctorConfig.KEY) private readonly doctor: ConfigType<typeof doctorConfig>,
  ) {}

  async run(): Promise<DoctorReport> {
    const f: Findings = { clientAuthenticated: false };
    const checks: CheckResult[] = [];
    const add = (
      id: number,
      name: string,
      status: CheckStatus,
      found: string,
      fix?: string,
    ): void => {
      checks.push({ id, name, status, found, ...(fix ? { fix } : {}) });
    };
    const { realm, clientId } = this.keycloak;

    // 1. discovery
    try {
      f.metadata = await this.discovery.getMetadata();
      add(1, 'discovery', 'PASS', `Realm '${realm}' found at ${this.keycloak.discoveryUrl}`);
    } catch (err: unknown) {
      const code = err instanceof ProblemError ? err.code : '';
      add(
        1,
        'discovery',
        'FAIL',
        code === 'REALM_NOT_FOUND'
          ? `Realm '${realm}' does not exist at ${this.keycloak.url}`
          : describeError(err),
        code === 'REALM_NOT_FOUND'
          ? 'Check KEYCLOAK_REALM (case-sensitive) or import the realm.'
          : 'Check KEYCLOAK_URL and that Keycloak is running and reachable from this host.',
      );
    }

    // 2. issuer
    if (!f.metadata) {
      add(2, 'issuer', 'SKIP', 'Needs the discovery document');
    } else if (f.metadata.issuer === this.keycloak.expectedIssuer) {
      add(2, 'issuer', 'PASS', `Issuer ${f.metadata.issuer}`);
    } else {
      const publicUrl = f.metadata.issuer.replace(/\/realms\/[^/]+$/, '');
      add(
        2,
        'issuer',
        'FAIL',
        `Keycloak says issuer '${f.metadata.issuer}' but the BFF expects '${this.keycloak.expectedIssuer}'; every token would be rejected (TOKEN_ISSUER_MISMATCH)`,
        `Set KEYCLOAK_PUBLIC_URL=${publicUrl} (the URL in the issuer), or fix Keycloak's hostname setting.`,
      );
    }

    // 3. JWKS
    const jwksUri = f.metadata
      ? (await this.discovery.getEndpoints()).jwks
      : this.discovery.conventionalJwksUri;
    try {
      const keys = await this.jwks.loadFrom(jwksUri);
      add(
        3,
        'jwks',
        'PASS',
        `${keys.length} signing key(s) (${[...new Set(keys.map((k) => k.alg))].join(', ')}) at ${jwksUri}`,
      );
    } catch (err: unknown) {
      add(
        3,
        'jwks',
        'FAIL',
        `${describeError(err)}${f.metadata ? '' : ' (URL guessed: discovery failed)'}`,
        'A WAF or proxy refusing the request (403), a wrong KEYCLOAK_URL or a realm without RS/ES keys are the usual causes.',
      );
    }

    // 4 and 5a. client credentials and direct access grants, from one password grant with a user that does not exist
    const flows: { status: CheckStatus; text: string; fix?: string }[] = [];
    if (!f.metadata) {
      add(4, 'client credentials', 'SKIP', 'Needs the discovery document');
    } else {
      try {
        await this.tokens.passwordGrant(`doctor-probe-${Date.now()}`, 'not-a-password', 'openid');
        add(4, 'client credentials', 'PASS', `Client '${clientId}' authenticated`);
        flows.push({ status: 'WARN', text: 'a made-up user could log in?' });
      } catch (err: unknown) {
        const text = upstreamText(err);
        if (/invalid_grant/.test(text) || /direct access grants/i.test(text)) {
          f.clientAuthenticated = true;
          add(
            4,
            'client credentials',
            'PASS',
            `Client '${clientId}' authenticated with KEYCLOAK_CLIENT_SECRET`,
          );
          flows.push(
            /direct access grants/i.test(text)
              ? {
                  status: 'FAIL',
                  text: 'direct access grants: off (POST /auth/login cannot work)',
                  fix: `Enable "Direct access grants" on client '${clientId}'.`,
                }
              : { status: 'PASS', text: 'direct access grants: on' },
          );
        } else if (/^invalid_client/.test(text)) {
          add(
            4,
            'client credentials',
            'FAIL',
            `Keycloak knows no client '${clientId}' in realm '${realm}'`,
            'Check KEYCLOAK_CLIENT_ID, or create the client.',
          );
        } else if (/^unauthorized_client/.test(text)) {
          add(
            4,
            'client credentials',
            'FAIL',
            `Client '${clientId}' exists but KEYCLOAK_CLIENT_SECRET is wrong (or the client is public)`,
            `Copy the secret from Clients → ${clientId} → Credentials into KEYCLOAK_CLIENT_SECRET.`,
          );
        } else {
          add(4, 'client credentials', 'FAIL', describeError(err));
        }
      }
    }

    // 5b. service account, and the token later checks read
    if (f.clientAuthenticated) {
      try {
        f.serviceToken = await this.tokens.clientCredentialsGrant('openid');
        flows.push({ status: 'PASS', text: 'service account: on' });
      } catch (err: unknown) {
        flows.push({
          status: 'FAIL',
          text: `service account: ${describeError(err)}`,
          fix: `Enable "Service accounts roles" on client '${clientId}' (admin endpoints use it).`,
        });
      }
      flows.push(await this.probes.standardFlow(f.metadata));
      if (this.doctor.user) {
        f.userToken = await this.tokens
          .passwordGrant(this.doctor.user.username, this.doctor.user.password, 'openid')
          .catch(() => undefined);
      }
      add(
        5,
        'client flows',
        worst(flows.map((x) => x.status)),
        flows.map((x) => x.text).join('; '),
        flows
          .map((x) => x.fix)
          .filter(Boolean)
          .join(' ') || undefined,
      );
    } else {
      add(5, 'client flows', 'SKIP', 'Needs valid client credentials');
    }

    const sample = f.serviceToken ?? f.userToken;
    const claims = sample ? (decode(sample.access_token) as Claims | null) : null;

    // 6. audience
    if (!claims) {
      add(6, 'audience', 'SKIP', 'Needs a token of the client');
    } else {
      const aud = ([] as string[]).concat(claims.aud ?? []);
      add(
        6,
        'audience',
        aud.includes(this.auth.audience) ? 'PASS' : 'FAIL',
        `Tokens of '${clientId}' carry aud [${aud.join(', ')}]`,
        aud.includes(this.auth.audience)
          ? undefined
          : `Add an "Audience" mapper with Included Client Audience '${this.auth.audience}' to client '${clientId}' (or set AUTH_AUDIENCE).`,
      );
    }

    // 7. openid + userinfo
    checks.push(await this.probes.userinfoCheck(sample));

    // 8. service account roles
    if (this.admin.tokenMode !== 'service-account') {
      add(8, 'service account roles', 'SKIP', `ADMIN_TOKEN_MODE=${this.admin.tokenMode}`);
    } else if (!f.serviceToken) {
      add(8, 'service account roles', 'SKIP', 'Needs a service-account token');
    } else {
      const roles =
        (decode(f.serviceToken.access_token) as Claims | null)?.resource_access?.[
          'realm-management'
        ]?.roles ?? [];
      const missing = ['view-users', 'query-users'].filter((r) => !roles.includes(r));
      add(
        8,
        'service account roles',
        missing.length ? 'FAIL' : 'PASS',
        missing.length
          ? `service-account-${clientId} lacks realm-management ${missing.join(' and ')}`
          : `service-account-${clientId} has view-users and query-users`,
        missing.length
          ? `Grant realm-management ${missing.join(', ')} to service-account-${clientId} (Clients → ${clientId} → Service accounts roles).`
          : undefined,
      );
    }

    // 9. token exchange
    checks.push(await this.probes.exchangeCheck(f.serviceToken, f.userToken));

    // 10. clock skew
    if (!claims?.iat) {
      add(10, 'clock skew', 'SKIP', 'Needs a token');
    } else {
      const skew = Math.round(Date.now() / 1000 - claims.iat);
      const ok = Math.abs(skew) <= Math.max(this.auth.clockToleranceSec, 2);
      add(
        10,
        'clock skew',
        ok ? 'PASS' : 'FAIL',
        `This host's clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} Keycloak's (token iat)`,
        ok ? undefined : 'Synchronise clocks (NTP) or raise AUTH_CLOCK_TOLERANCE_S.',
      );
    }

    // 11. lifetimes
    checks.push(this.probes.lifetimeCheck(sample, f.userToken));

    return {
      realm,
      keycloakUrl: this.keycloak.url,
      ok: checks.every((c) => c.status !== 'FAIL'),
      checks,
    };
  }
}

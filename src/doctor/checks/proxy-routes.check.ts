import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DOCTOR_CHECK_NAMES } from '../../common/doctor-check-names';
import { ProblemError } from '../../common/errors/problem.error';
import type { ApiRoute } from '../../config/api-route.entry';
import { apiRoutesConfig } from '../../config/api-routes.config';
import { doctorConfig } from '../../config/doctor.config';
import { keycloakConfig } from '../../config/keycloak.config';
import type { KeycloakClientSettings } from '../../keycloak/keycloak-admin.client';
import { KeycloakTokenClient } from '../../keycloak/keycloak-token.client';
import { mapTokenExchangeError } from '../../token-exchange/token-exchange.errors';
import { describeError } from '../doctor-errors';
import { worst, type CheckStatus } from '../doctor.types';
import { kcadm } from '../kcadm';
import { KeycloakSettings } from '../keycloak-settings';
import { UpstreamProbe } from '../upstream.probe';
import type { CheckOutcome, DoctorCheck, DoctorFindings } from './doctor-check';

/** How long a target may take to answer the probe, at most. */
const PROBE_TIMEOUT_MS = 5000;

interface RouteFinding {
  status: CheckStatus;
  text: string;
  fix?: string;
  kcadm?: string;
  code?: string;
}

/** The audience a route exchanges the caller's token for, if it does. */
const audienceOf = (route: ApiRoute): string | undefined =>
  route.token === 'exchange' || route.token === 'user-or-none' ? route.audience : undefined;

const scopeOf = (route: ApiRoute): string | undefined =>
  route.token === 'exchange' || route.token === 'user-or-none' ? route.scope : undefined;

/**
 * The proxy's routes (API_ROUTES_FILE) against what they will need at run time: each target
 * answers; each exchange audience is available to the test user's token (and its scope exists);
 * `client` routes get the BFF's client-credentials token.
 */
@Injectable()
export class ProxyRoutesCheck implements DoctorCheck {
  readonly name = DOCTOR_CHECK_NAMES.proxyRoutes;

  constructor(
    @Inject(UpstreamProbe) private readonly upstream: Pick<UpstreamProbe, 'status'>,
    @Inject(KeycloakTokenClient)
    private readonly tokens: Pick<KeycloakTokenClient, 'tokenExchange' | 'clientCredentialsGrant'>,
    @Inject(KeycloakSettings)
    private readonly settings: Pick<
      KeycloakSettings,
      'client' | 'clientScopes' | 'lightweightAccessTokens'
    >,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'realm' | 'clientId'>,
    @Inject(apiRoutesConfig.KEY)
    private readonly apiRoutes: Pick<ConfigType<typeof apiRoutesConfig>, 'routes'>,
    @Inject(doctorConfig.KEY)
    private readonly doctor: Pick<ConfigType<typeof doctorConfig>, 'user'>,
  ) {}

  async run({ userToken }: DoctorFindings): Promise<CheckOutcome> {
    const { routes } = this.apiRoutes;
    if (routes.length === 0) {
      return { status: 'SKIP', found: 'API_ROUTES_FILE is not set' };
    }
    // Routes share audiences and the client token: each is asked for once.
    const exchanges = new Map<string, Promise<RouteFinding | undefined>>();
    let clientToken: Promise<RouteFinding | undefined> | undefined;
    const findings: RouteFinding[] = [];
    for (const [index, route] of routes.entries()) {
      const label = `[${index}] ${route.prefix}`;
      findings.push(await this.target(label, route));
      const audience = audienceOf(route);
      let problem: RouteFinding | undefined;
      if (audience !== undefined && userToken) {
        const scope = scopeOf(route);
        const key = `${audience} ${scope ?? ''}`;
        if (!exchanges.has(key)) {
          exchanges.set(key, this.exchange(audience, scope, userToken.access_token));
        }
        problem = await exchanges.get(key);
      }
      if (route.token === 'client') {
        clientToken ??= this.clientCredentials();
        problem = await clientToken;
      }
      if (problem) {
        findings.push({ ...problem, text: `${label}: ${problem.text}` });
      }
    }
    const status = worst(findings.map((f) => f.status));
    if (status === 'PASS') {
      return { status, found: this.allWell(routes, userToken !== undefined) };
    }
    const shown = findings.filter((f) => f.status !== 'PASS');
    const unique = (values: (string | undefined)[]) => [
      ...new Set(values.filter((v) => v !== undefined)),
    ];
    const fixes = unique(shown.map((f) => f.fix));
    const commands = unique(shown.map((f) => f.kcadm));
    const code = shown.find((f) => f.code)?.code;
    return {
      status,
      found: shown.map((f) => f.text).join('; '),
      ...(fixes.length ? { fix: fixes.join(' ') } : {}),
      ...(commands.length ? { kcadm: commands } : {}),
      ...(code ? { code } : {}),
    };
  }

  private allWell(routes: readonly ApiRoute[], withUser: boolean): string {
    const audiences = [...new Set(routes.map(audienceOf).filter((a) => a !== undefined))];
    const user = this.doctor.user?.username ?? 'the user';
    return [
      `${routes.length} route(s): every target answers`,
      ...(audiences.length === 0
        ? []
        : [
            withUser
              ? `${audiences.join(', ')} available to ${user}`
              : `audiences ${audiences.join(', ')} not checked (set DOCTOR_USERNAME/DOCTOR_PASSWORD)`,
          ]),
    ].join('; ');
  }

  private async target(label: string, route: ApiRoute): Promise<RouteFinding> {
    try {
      const status = await this.upstream.status(
        route.target,
        Math.min(route.timeoutMs, PROBE_TIMEOUT_MS),
      );
      return { status: 'PASS', text: `${label}: ${route.target} answers ${status}` };
    } catch (err: unknown) {
      return {
        status: 'FAIL',
        text: `${label}: ${route.target} does not answer (${describeError(err)})`,
        fix: "Start the API, or correct the route's target.",
      };
    }
  }

  /** Undefined when Keycloak exchanged the user's token for the audience (and scope). */
  private async exchange(
    audience: string,
    scope: string | undefined,
    subjectToken: string,
  ): Promise<RouteFinding | undefined> {
    const { clientId } = this.keycloak;
    try {
      await this.tokens.tokenExchange(subjectToken, { audience, ...(scope ? { scope } : {}) });
      return undefined;
    } catch (err: unknown) {
      const mapped = mapTokenExchangeError(err, {
        clientId,
        audiences: [audience],
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        kind: 'standard',
      });
      const code = mapped instanceof ProblemError ? mapped.code : undefined;
      if (code === 'INVALID_SCOPE' && scope) {
        return this.scopeProblem(scope);
      }
      if (code === 'AUDIENCE_NOT_AVAILABLE') {
        return this.unavailable(audience);
      }
      return { status: 'FAIL', text: `exchange for '${audience}': ${describeError(mapped)}`, code };
    }
  }

  private async unavailable(audience: string): Promise<RouteFinding> {
    const { realm, clientId } = this.keycloak;
    const client = await this.settings.client().catch(() => undefined);
    const lightweight = await this.settings.lightweightAccessTokens();
    return {
      status: 'FAIL',
      text: `'${audience}' is not available to ${this.doctor.user?.username ?? 'the user'}'s token of '${clientId}'${lightweight ? ` (its access tokens are lightweight: see '${DOCTOR_CHECK_NAMES.lightweightTokens}')` : ''}`,
      fix: `Give the users a role of client '${audience}', or add an Audience mapper for '${audience}' to client '${clientId}'.`,
      code: 'AUDIENCE_NOT_AVAILABLE',
      ...(client ? { kcadm: kcadm.createAudienceMapper(realm, client.id, audience) } : {}),
    };
  }

  /** The scope Keycloak refused: missing from the realm, or not a scope of the client. */
  private async scopeProblem(scope: string): Promise<RouteFinding> {
    const { realm, clientId } = this.keycloak;
    const [client, scopes] = await Promise.all([
      this.settings.client().catch(() => undefined),
      this.settings.clientScopes().catch(() => undefined),
    ]);
    const wanted = scope.split(' ');
    const missing = wanted.filter((name) => scopes && !scopes.some((s) => s.name === name));
    const unassigned = (scopes ?? []).filter(
      (s) => wanted.includes(s.name) && client && !assigned(client, s.name),
    );
    const commands = client
      ? [
          ...missing.map(
            (name) =>
              `${kcadm.addOptionalClientScope(realm, client.id, `$(${kcadm.createClientScope(realm, name)} -i)`)}`,
          ),
          ...unassigned.map((s) => kcadm.addOptionalClientScope(realm, client.id, s.id)),
        ]
      : [];
    return {
      status: 'FAIL',
      text: missing.length
        ? `scope ${missing.map((m) => `'${m}'`).join(', ')} does not exist in realm '${realm}'`
        : `scope '${scope}' is refused for client '${clientId}'`,
      fix: `Create the client scope and add it to client '${clientId}' as an optional scope.`,
      code: 'INVALID_SCOPE',
      ...(commands.length ? { kcadm: commands.join(' && ') } : {}),
    };
  }

  private async clientCredentials(): Promise<RouteFinding | undefined> {
    try {
      await this.tokens.clientCredentialsGrant();
      return undefined;
    } catch (err: unknown) {
      return {
        status: 'FAIL',
        text: `no client-credentials token: ${describeError(err)}`,
        fix: `Enable "Service accounts roles" on client '${this.keycloak.clientId}'.`,
      };
    }
  }
}

const assigned = (client: KeycloakClientSettings, scope: string): boolean =>
  client.defaultClientScopes.includes(scope) || client.optionalClientScopes.includes(scope);

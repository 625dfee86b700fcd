import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { JwtPayload } from 'jsonwebtoken';
import { keycloakConfig } from '../config/keycloak.config';
import { INTROSPECTION_RESPONSE } from './keycloak-answers';
import { callKeycloak } from './keycloak-http';
import { OidcDiscoveryService } from './oidc-discovery.service';
import { RealmTokenVerifier } from './realm-token.verifier';

/** Keycloak's introspection answer (RFC 7662 §2.2): `active`, the token's claims, maybe `jwt`. */
export interface IntrospectionResponse extends JwtPayload {
  active: boolean;
  /** The full access token, signed by the realm (Keycloak's "JWT claim in introspection"). */
  jwt?: string;
}

/** What introspection says about a token. */
export type Introspection =
  { active: true; claims: JwtPayload } | { active: false; reason?: string };

/** Members of an introspection answer that describe the answer, not the token's claims. */
const ANSWER_MEMBERS = ['active', 'jwt', 'client_id', 'username', 'token_type'];

/**
 * The BFF's confidential client at the realm's introspection endpoint (RFC 7662), the one place
 * that asks Keycloak whether a token is active and what it stands for. It asks with `Accept:
 * application/jwt`: with "Support JWT claim in Introspection Response" on the BFF's client,
 * Keycloak adds the full access token as `jwt`, which is verified like any realm access token and
 * whose claims are then the answer; without it, the JSON answer's own claims are. (Keycloak
 * answers JSON, not RFC 9701's `application/token-introspection+jwt`.)
 *
 * Keycloak answers `active: false` for a token that is expired, revoked (logout), malformed, or
 * whose audience does not include the asking client; it says which only in its event log.
 */
@Injectable()
export class TokenIntrospector {
  constructor(
    private readonly http: HttpService,
    private readonly discovery: OidcDiscoveryService,
    private readonly verifier: RealmTokenVerifier,
    @Inject(keycloakConfig.KEY) private readonly config: ConfigType<typeof keycloakConfig>,
  ) {}

  async introspect(token: string): Promise<Introspection> {
    const { introspection } = await this.discovery.getEndpoints();
    if (!introspection) {
      throw new Error('The discovery document has no introspection_endpoint');
    }
    const form = new URLSearchParams({
      token,
      // RFC 7662 §2.1: a hint only; Keycloak looks the token up either way.
      token_type_hint: 'access_token',
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
    });
    const answer = await callKeycloak(
      { endpoint: 'introspect', operation: 'token introspection', answer: INTROSPECTION_RESPONSE },
      () =>
        this.http.axiosRef.post(introspection, form.toString(), {
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            // Exactly this: Keycloak 26.7 adds `jwt` only when Accept is application/jwt alone
            // (a list with application/json gets no `jwt`); its answer is JSON either way.
            Accept: 'application/jwt',
          },
        }),
    );
    if (!answer.active) {
      // Keycloak adds `jwt` even to an inactive answer: it says nothing then.
      return { active: false, reason: reasonOf(answer) };
    }
    if (answer.jwt !== undefined) {
      // The realm's signature over the full token: its claims, not the JSON's, are the answer.
      return { active: true, claims: await this.verifier.verify(answer.jwt, 'access') };
    }
    return { active: true, claims: claimsOf(answer) };
  }
}

function claimsOf(answer: IntrospectionResponse): JwtPayload {
  return Object.fromEntries(
    Object.entries(answer).filter(([member]) => !ANSWER_MEMBERS.includes(member)),
  );
}

/** Some servers say why a token is inactive (a non-standard `error_description`); Keycloak does not. */
function reasonOf(answer: IntrospectionResponse): string | undefined {
  const reason = (answer as Record<string, unknown>).error_description;
  return typeof reason === 'string' && reason.length > 0 ? reason.slice(0, 200) : undefined;
}

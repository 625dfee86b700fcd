import { decode, type JwtPayload } from 'jsonwebtoken';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import type { OidcMetadata } from '../../keycloak/oidc-discovery.service';
import type { CheckResult, CheckStatus } from '../doctor.types';

/** What a check found; the report adds its number and name. */
export type CheckOutcome = Pick<CheckResult, 'status' | 'found' | 'fix' | 'kcadm' | 'code'>;

/** One client setting the "client flows" row reports on. */
export interface FlowFinding {
  status: CheckStatus;
  text: string;
  fix?: string;
}

/**
 * What the checks learn along the way. They run in order, one at a time, and a later check reads
 * what an earlier one found instead of asking Keycloak again.
 */
export interface DoctorFindings {
  metadata?: OidcMetadata;
  /** Keycloak accepted the client's id and secret. */
  clientAuthenticated: boolean;
  /** Learned from the client-credentials probe's password grant; reported with the flows. */
  directAccessGrants?: FlowFinding;
  serviceToken?: KeycloakTokenResponse;
  /** Only with DOCTOR_USERNAME/DOCTOR_PASSWORD. */
  userToken?: KeycloakTokenResponse;
}

/** One row of the doctor's report, in the way terminus has one health indicator per concern. */
export interface DoctorCheck {
  /** The row's name in the table and the JSON. */
  readonly name: string;
  run(findings: DoctorFindings): CheckOutcome | Promise<CheckOutcome>;
}

/** The row of a cookie-session check while the mode is off. */
export const SESSION_MODE_OFF: CheckOutcome = { status: 'SKIP', found: 'SESSION_ENABLED is off' };

/** Injection token of the ordered list of checks (see doctor.module.ts). */
export const DOCTOR_CHECKS = Symbol('DOCTOR_CHECKS');

export type TokenClaims = JwtPayload & {
  scope?: string;
  resource_access?: Record<string, { roles?: string[] }>;
};

/** The token the token checks look at: the service account's, else the user's. */
export const sampleToken = (findings: DoctorFindings): KeycloakTokenResponse | undefined =>
  findings.serviceToken ?? findings.userToken;

/**
 * The access token's claims, read without verifying it: it came straight from the token
 * endpoint, and the jwks check verifies the keys separately.
 */
export const claimsOf = (token: KeycloakTokenResponse | undefined): TokenClaims | null =>
  token ? (decode(token.access_token) as TokenClaims | null) : null;

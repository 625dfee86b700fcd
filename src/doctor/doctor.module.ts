import { Module, type Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClockModule } from '../common/clock/clock.module';
import { configNamespaces } from '../config/config';
import { KeycloakModule } from '../keycloak/keycloak.module';
import { AudienceCheck } from './checks/audience.check';
import { BackchannelLogoutCheck } from './checks/backchannel-logout.check';
import { ClientCredentialsCheck } from './checks/client-credentials.check';
import { ClientFlowsCheck } from './checks/client-flows.check';
import { ClockSkewCheck } from './checks/clock-skew.check';
import { DiscoveryCheck } from './checks/discovery.check';
import { DOCTOR_CHECKS, type DoctorCheck } from './checks/doctor-check';
import { IssuerCheck } from './checks/issuer.check';
import { JwksCheck } from './checks/jwks.check';
import { LightweightTokensCheck } from './checks/lightweight-tokens.check';
import { PostLogoutRedirectUriCheck } from './checks/post-logout-redirect-uri.check';
import { ProxyRoutesCheck } from './checks/proxy-routes.check';
import { RefreshTokenRotationCheck } from './checks/refresh-token-rotation.check';
import { ServiceAccountRolesCheck } from './checks/service-account-roles.check';
import { SessionRedirectUriCheck } from './checks/session-redirect-uri.check';
import { connectRedis, REDIS_CONNECT, SessionStoreCheck } from './checks/session-store.check';
import { SessionTimeoutsCheck } from './checks/session-timeouts.check';
import { SidAndSubCheck } from './checks/sid-and-sub.check';
import { StandardFlowPkceCheck } from './checks/standard-flow-pkce.check';
import { TokenExchangeCheck } from './checks/token-exchange.check';
import { TokenLifetimesCheck } from './checks/token-lifetimes.check';
import { UserinfoCheck } from './checks/userinfo.check';
import { DoctorService } from './doctor.service';
import { KeycloakSettings } from './keycloak-settings';
import { UpstreamProbe } from './upstream.probe';

/**
 * The checks in the order they run and are numbered in the report. Order matters: a check reads
 * what the ones before it found (discovery first, the token checks after client flows). A row's
 * number is its place here, and docs and issues cite numbers: new checks go at the end.
 */
export const CHECKS: readonly Type<DoctorCheck>[] = [
  DiscoveryCheck,
  IssuerCheck,
  JwksCheck,
  ClientCredentialsCheck,
  ClientFlowsCheck,
  AudienceCheck,
  UserinfoCheck,
  ServiceAccountRolesCheck,
  TokenExchangeCheck,
  ClockSkewCheck,
  TokenLifetimesCheck,
  RefreshTokenRotationCheck,
  LightweightTokensCheck,
  SidAndSubCheck,
  SessionRedirectUriCheck,
  PostLogoutRedirectUriCheck,
  StandardFlowPkceCheck,
  BackchannelLogoutCheck,
  SessionTimeoutsCheck,
  ProxyRoutesCheck,
  SessionStoreCheck,
];

/** The Keycloak clients and config of the service, without the HTTP server. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configNamespaces }),
    ClockModule,
    KeycloakModule,
  ],
  providers: [
    KeycloakSettings,
    UpstreamProbe,
    { provide: REDIS_CONNECT, useValue: connectRedis },
    ...CHECKS,
    {
      provide: DOCTOR_CHECKS,
      useFactory: (...checks: DoctorCheck[]) => checks,
      inject: [...CHECKS],
    },
    DoctorService,
  ],
})
export class DoctorModule {}

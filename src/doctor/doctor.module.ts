import { Module, type Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { configNamespaces } from '../config/config';
import { KeycloakModule } from '../keycloak/keycloak.module';
import { AudienceCheck } from './checks/audience.check';
import { ClientCredentialsCheck } from './checks/client-credentials.check';
import { ClientFlowsCheck } from './checks/client-flows.check';
import { ClockSkewCheck } from './checks/clock-skew.check';
import { DiscoveryCheck } from './checks/discovery.check';
import { DOCTOR_CHECKS, type DoctorCheck } from './checks/doctor-check';
import { IssuerCheck } from './checks/issuer.check';
import { JwksCheck } from './checks/jwks.check';
import { ServiceAccountRolesCheck } from './checks/service-account-roles.check';
import { TokenExchangeCheck } from './checks/token-exchange.check';
import { TokenLifetimesCheck } from './checks/token-lifetimes.check';
import { UserinfoCheck } from './checks/userinfo.check';
import { DoctorService } from './doctor.service';
import { KeycloakSettings } from './keycloak-settings';

/**
 * The checks in the order they run and are numbered in the report. Order matters: a check reads
 * what the ones before it found (discovery first, the token checks after client flows).
 */
const CHECKS: Type<DoctorCheck>[] = [
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
];

/** The Keycloak clients and config of the service, without the HTTP server. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configNamespaces }),
    KeycloakModule,
  ],
  providers: [
    KeycloakSettings,
    ...CHECKS,
    { provide: DOCTOR_CHECKS, useFactory: (...checks: DoctorCheck[]) => checks, inject: CHECKS },
    DoctorService,
  ],
})
export class DoctorModule {}

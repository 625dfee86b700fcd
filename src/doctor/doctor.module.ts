import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClockModule } from '../common/clock/clock.module';
import { configNamespaces } from '../config/config';
import { KeycloakModule } from '../keycloak/keycloak.module';
import { DoctorProbes } from './doctor-probes';
import { DoctorService } from './doctor.service';

/** The Keycloak clients and config of the service, without the HTTP server. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configNamespaces }),
    ClockModule,
    KeycloakModule,
  ],
  providers: [DoctorService, DoctorProbes],
})
export class DoctorModule {}

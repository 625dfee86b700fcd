import { HttpModule } from '@nestjs/axios';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { USER_AGENT } from '../common/version';
import { keycloakConfig } from '../config/keycloak.config';
import { KeycloakHttpAgents } from './keycloak-http-agents';
import { JwksService } from './jwks.service';
import { KeycloakAdminTokenProvider } from './keycloak-admin-token.provider';
import { KeycloakAdminClient } from './keycloak-admin.client';
import { KeycloakAuthorizationProbe } from './keycloak-authorization.probe';
import { KeycloakTokenClient } from './keycloak-token.client';
import { OidcDiscoveryService } from './oidc-discovery.service';
import { IntrospectedTokens } from './introspected-tokens';
import { RealmTokenVerifier } from './realm-token.verifier';
import { TokenIntrospector } from './token-introspector';

/** What the rest of the app may use to reach Keycloak. */
const CLIENTS = [
  OidcDiscoveryService,
  JwksService,
  RealmTokenVerifier,
  KeycloakTokenClient,
  KeycloakAdminTokenProvider,
  KeycloakAdminClient,
  KeycloakAuthorizationProbe,
  TokenIntrospector,
  IntrospectedTokens,
];

/** Everything that talks to Keycloak. Feature modules inject these clients, never axios. */
@Global()
@Module({
  imports: [
    HttpModule.registerAsync({
      extraProviders: [KeycloakHttpAgents],
      inject: [keycloakConfig.KEY, KeycloakHttpAgents],
      useFactory: (config: ConfigType<typeof keycloakConfig>, agents: KeycloakHttpAgents) => ({
        timeout: config.httpTimeoutMs,
        httpAgent: agents.http,
        httpsAgent: agents.https,
        headers: { 'User-Agent': USER_AGENT, Accept: 'application/json' },
        // A redirect from Keycloak means a wrong URL; following it would hide that.
        maxRedirects: 0,
      }),
    }),
  ],
  providers: [...CLIENTS],
  // Not HttpModule: feature code reaches Keycloak through these clients only, never axios.
  exports: [...CLIENTS],
})
export class KeycloakModule {}

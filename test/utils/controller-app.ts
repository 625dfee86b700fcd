import { MetricsModule } from '../../src/common/metrics/metrics.module';
import { generateKeyPairSync } from 'node:crypto';
import type { ModuleMetadata } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import { sign } from 'jsonwebtoken';
import { AuthenticationGuard } from '../../src/auth/guards/authentication.guard';
import { JWT_STRATEGY, JwtStrategy } from '../../src/auth/guards/jwt.strategy';
import { LOGIN_THROTTLERS } from '../../src/auth/guards/login-throttler.guard';
import { RolesGuard } from '../../src/auth/guards/roles.guard';
import { Clock, SystemClock } from '../../src/common/clock/clock';
import { authConfig, type AuthConfig } from '../../src/config/auth.config';
import { configNamespaces } from '../../src/config/config';
import { keycloakConfig, type KeycloakConfig } from '../../src/config/keycloak.config';
import { JwksService, type VerificationKey } from '../../src/keycloak/jwks.service';
import { IntrospectedTokens } from '../../src/keycloak/introspected-tokens';
import { RealmTokenVerifier } from '../../src/keycloak/realm-token.verifier';
import { TokenRejectedError } from '../../src/keycloak/token.errors';
import { automock } from './automock';
import { serve, type TestApp } from './serve';

/** The environment every controller app starts from: nothing of the developer's shell leaks in. */
const BASE_ENV: Record<string, string> = {
  KEYCLOAK_URL: 'http://kc.test',
  KEYCLOAK_REALM: 'demo',
  KEYCLOAK_CLIENT_ID: 'bff',
  KEYCLOAK_CLIENT_SECRET: 'bff-secret',
  LOG_LEVEL: 'silent',
  DOCS_ENABLED: 'false',
};

const KID = 'controller-test-key';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const REALM_KEY: VerificationKey = { kid: KID, alg: 'RS256', key: publicKey };

export interface ControllerApp extends TestApp {
  /** An `Authorization` header with a realm access token the global guard accepts. */
  bearer(claims?: { sub?: string; roles?: string[]; exp?: number }): string;
}

/**
 * Controllers served the way main.ts serves the app (serve: Fastify options, configureApp's
 * validation pipe, problem+json filter, cookies and helmet), behind the real global guards,
 * with the services the test gives (mocks). Config comes from the real namespaces over BASE_ENV and `env`. The
 * bearer source is the real one, over an in-memory signing key: `bearer()` makes its tokens.
 */
export async function createControllerApp(
  metadata: Pick<ModuleMetadata, 'controllers' | 'providers' | 'imports'>,
  env: Record<string, string> = {},
): Promise<ControllerApp> {
  const saved = process.env;
  process.env = { ...BASE_ENV, ...env };
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configNamespaces }),
        PassportModule.register({ defaultStrategy: [JWT_STRATEGY] }),
        MetricsModule,
        ...(metadata.imports ?? []),
      ],
      controllers: metadata.controllers,
      providers: [
        { provide: Clock, useClass: SystemClock },
        {
          provide: JwksService,
          useValue: automock(JwksService, {
            getKey: (kid) =>
              kid === KID
                ? Promise.resolve(REALM_KEY)
                : Promise.reject(new TokenRejectedError('TOKEN_UNKNOWN_KEY', `no key ${kid}`)),
            cached: (kid) => (kid === KID ? REALM_KEY : undefined),
            has: (kid) => kid === KID,
            onKeysRemoved: () => undefined,
            algorithms: ['RS256'],
          }),
        },
        RealmTokenVerifier,
        // AUTH_INTROSPECTION is off in controller tests: Keycloak is never asked.
        {
          provide: IntrospectedTokens,
          useValue: automock(IntrospectedTokens, { enabled: false, wants: () => false }),
        },
        JwtStrategy,
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        ...(metadata.providers ?? []),
      ],
    }).compile();

    const keycloak = moduleRef.get<KeycloakConfig>(keycloakConfig.KEY);
    const auth = moduleRef.get<AuthConfig>(authConfig.KEY);
    return {
      ...(await serve(moduleRef)),
      bearer: ({ sub = 'alice', roles = [], exp = Math.floor(Date.now() / 1000) + 300 } = {}) =>
        `Bearer ${sign(
          { sub, exp, iss: keycloak.expectedIssuer, aud: auth.audience, realm_access: { roles } },
          privateKey,
          { algorithm: 'RS256', keyid: KID },
        )}`,
    };
  } finally {
    process.env = saved;
  }
}

/**
 * The login throttlers under their real names (so each route's SkipThrottle applies), in memory,
 * `limit` requests per minute each.
 */
export function loginThrottling(limit: number): NonNullable<ModuleMetadata['imports']>[number] {
  return ThrottlerModule.forRoot({
    throttlers: Object.values(LOGIN_THROTTLERS).map((name) => ({ name, ttl: 60_000, limit })),
  });
}

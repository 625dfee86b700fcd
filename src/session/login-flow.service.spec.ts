import { randomBytes } from 'node:crypto';
import type { KeycloakConfig } from '../config/keycloak.config';
import type { SessionConfig } from '../config/session.config';
import type { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import { LoginFlowService } from './login-flow.service';
import type { OidcTokenVerifier } from './oidc-token.verifier';
import { SessionRepository } from './session.repository';
import { MemorySessionStore } from './store/memory-session.store';

const CONFIG = {
  encryptionKeys: [randomBytes(32)],
  redirectUri: 'http://bff/auth/callback',
  scope: 'openid',
  returnToOrigins: [],
} as unknown as SessionConfig;

describe(LoginFlowService.name, () => {
  let store: MemorySessionStore;
  let sut: LoginFlowService;
  beforeEach(() => {
    store = new MemorySessionStore();
    const tokens = {
      authorizationUrl: (params: Record<string, string>) =>
        Promise.resolve(`http://kc/auth?${new URLSearchParams(params).toString()}`),
    } as unknown as KeycloakTokenClient;
    sut = new LoginFlowService(
      new SessionRepository(store, CONFIG),
      tokens,
      {} as OidcTokenVerifier,
      CONFIG,
      { clientId: 'bff-session' } as KeycloakConfig,
    );
  });
  afterEach(async () => {
    await store.close();
  });

  async function callbackWith(error: string, restarted: boolean) {
    const { url, transactionId } = await sut.start('/back', restarted);
    const state = new URL(url).searchParams.get('state') ?? '';
    return sut.finish({ state, error }, transactionId);
  }

  it('should restart a login Keycloak answered with temporarily_unavailable', async () => {
    await expect(callbackWith('temporarily_unavailable', false)).resolves.toEqual({
      kind: 'restart',
      returnTo: '/back',
    });
  });

  it('should answer the same error on a restarted login with LOGIN_RETRY_FAILED, not a loop', async () => {
    await expect(callbackWith('temporarily_unavailable', true)).rejects.toMatchObject({
      code: 'LOGIN_RETRY_FAILED',
      status: 503,
      upstream: { error: 'temporarily_unavailable' },
    });
  });
});

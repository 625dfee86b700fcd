import { Logger } from '@nestjs/common';
import { automock } from '../../test/utils/automock';
import { sessionTestConfig } from '../../test/utils/session-fixture';
import { SystemClock } from '../common/clock/clock';
import type { KeycloakConfig } from '../config/keycloak.config';
import { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import { LoginFlowService } from './login-flow.service';
import { LoginTransactionRepository } from './login-transaction.repository';
import { OidcTokenVerifier } from './oidc-token.verifier';
import { SessionSealer } from './session-sealer';
import { SessionRepository } from './session.repository';
import { MemorySessionStore } from './store/memory-session.store';

const CONFIG = sessionTestConfig({
  redirectUri: 'http://bff/auth/callback',
  scope: 'openid',
  pendingLoginsPerIp: 3,
});

const clock = new SystemClock();
const sealer = new SessionSealer(CONFIG);

describe(LoginFlowService.name, () => {
  let store: MemorySessionStore;
  let sut: LoginFlowService;
  let verifier: { idToken: jest.Mock; accessToken: jest.Mock };
  beforeEach(() => {
    store = new MemorySessionStore(clock);
    const tokens = automock(KeycloakTokenClient, {
      authorizationUrl: (params) =>
        Promise.resolve(`http://kc/auth?${new URLSearchParams(params).toString()}`),
      authorizationCodeGrant: () =>
        Promise.resolve({ access_token: 'a', id_token: 'i', expires_in: 10, token_type: 'Bearer' }),
    });
    verifier = { idToken: jest.fn(), accessToken: jest.fn() };
    sut = new LoginFlowService(
      new SessionRepository(clock, store, sealer, CONFIG),
      new LoginTransactionRepository(store, sealer, CONFIG),
      tokens,
      automock(OidcTokenVerifier, verifier),
      CONFIG,
      { clientId: 'bff-session' } as KeycloakConfig,
    );
  });
  afterEach(async () => {
    await store.close();
  });

  async function callbackWith(error: string, restarted: boolean) {
    const { url, transactionId } = await sut.start('/back', '192.0.2.1', restarted);
    const state = new URL(url).searchParams.get('state') ?? '';
    return sut.finish({ state, error }, [transactionId]);
  }

  it('should restart a login Keycloak answered with temporarily_unavailable', async () => {
    await expect(callbackWith('temporarily_unavailable', false)).resolves.toEqual({
      kind: 'restart',
      returnTo: '/back',
    });
  });

  describe('a silent login (prompt=none)', () => {
    async function silent(error: string, returnTo = '/back') {
      const { url, transactionId } = await sut.start(returnTo, '192.0.2.1', false, {
        prompt: 'none',
        maxAge: '60',
      });
      const params = new URL(url).searchParams;
      expect(params.get('prompt')).toBe('none');
      expect(params.get('max_age')).toBe('60');
      return sut.finish({ state: params.get('state') ?? '', error }, [transactionId]);
    }

    it.each(['login_required', 'interaction_required', 'consent_required'])(
      'should go back to returnTo with error=%s, never restart or fail',
      async (error) => {
        await expect(silent(error)).resolves.toEqual({
          kind: 'silent-failed',
          returnTo: `/back?error=${error}`,
        });
      },
    );

    it('should add the error to returnTo’s query, before its fragment', async () => {
      await expect(silent('login_required', '/app?tab=2#top')).resolves.toEqual({
        kind: 'silent-failed',
        returnTo: '/app?tab=2&error=login_required#top',
      });
    });

    it('should still treat errors that are no silent-login answer as such', async () => {
      await expect(silent('access_denied')).rejects.toMatchObject({ code: 'LOGIN_DENIED' });
    });

    it('should restart an ordinary login that Keycloak answered login_required', async () => {
      await expect(callbackWith('login_required', false)).resolves.toMatchObject({
        kind: 'restart',
      });
    });
  });

  it('should answer the same error on a restarted login with LOGIN_RETRY_FAILED, not a loop', async () => {
    await expect(callbackWith('temporarily_unavailable', true)).rejects.toMatchObject({
      code: 'LOGIN_RETRY_FAILED',
      status: 503,
      upstream: { error: 'temporarily_unavailable' },
    });
  });
  it("should keep another address's pending login while one address starts logins in a loop", async () => {
    const legit = await sut.start('/mine', '198.51.100.2');
    const flood = [];
    for (let i = 0; i < 50; i++) {
      flood.push(await sut.start('/x', '203.0.113.7'));
    }
    const state = (url: string) => new URL(url).searchParams.get('state') ?? '';

    // The flooding address keeps only its newest SESSION_LOGIN_PENDING_PER_IP (3) logins ...
    await expect(
      sut.finish({ state: state(flood[0]?.url ?? ''), error: 'access_denied' }, [
        flood[0]?.transactionId ?? '',
      ]),
    ).rejects.toMatchObject({ code: 'LOGIN_TRANSACTION_MISSING' });
    const newest = flood[49];
    await expect(
      sut.finish({ state: state(newest?.url ?? ''), error: 'access_denied' }, [
        newest?.transactionId ?? '',
      ]),
    ).rejects.toMatchObject({ code: 'LOGIN_DENIED' });
    // ... and the other address's login is still there.
    await expect(
      sut.finish({ state: state(legit.url), error: 'access_denied' }, [legit.transactionId]),
    ).rejects.toMatchObject({ code: 'LOGIN_DENIED' });
  });
  it('should find the login behind a bogus login cookie placed first', async () => {
    const { url, transactionId } = await sut.start('/back', '192.0.2.1');
    const state = new URL(url).searchParams.get('state') ?? '';
    await expect(
      sut.finish({ state, error: 'access_denied' }, ['bogus', transactionId]),
    ).rejects.toMatchObject({ code: 'LOGIN_DENIED' });
  });

  it('should say LOGIN_TRANSACTION_MISSING when no login cookie came', async () => {
    await expect(sut.finish({ state: 'x', code: 'c' }, [])).rejects.toMatchObject({
      code: 'LOGIN_TRANSACTION_MISSING',
      detail: expect.stringContaining('No login cookie') as string,
    });
  });

  describe('the doctor checks a refusal points at', () => {
    async function callbackWithCode() {
      const { url, transactionId } = await sut.start('/back', '192.0.2.1');
      const state = new URL(url).searchParams.get('state') ?? '';
      return sut.finish({ state, code: 'c' }, [transactionId]);
    }

    it("should name 'standard flow and PKCE' when Keycloak says unauthorized_client", async () => {
      await expect(callbackWith('unauthorized_client', false)).rejects.toMatchObject({
        code: 'LOGIN_FAILED',
        hint: expect.stringContaining("check 'standard flow and PKCE'") as string,
      });
    });

    it("should refuse an access token without sub as ACCESS_TOKEN_SUB_MISSING, naming 'sid and sub claims'", async () => {
      verifier.idToken.mockResolvedValue({ sub: 'u1', sid: 's1' });
      verifier.accessToken.mockResolvedValue({ sid: 's1' });
      await expect(callbackWithCode()).rejects.toMatchObject({
        status: 502,
        code: 'ACCESS_TOKEN_SUB_MISSING',
        hint: expect.stringContaining("check 'sid and sub claims'") as string,
      });
    });

    it('should log in with an ID token without sid, logging ID_TOKEN_SID_MISSING', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      verifier.idToken.mockResolvedValue({ sub: 'u1' });
      verifier.accessToken.mockResolvedValue({ sub: 'u1' });
      await expect(callbackWithCode()).resolves.toMatchObject({ kind: 'session' });
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({
          code: 'ID_TOKEN_SID_MISSING',
          hint: expect.stringContaining("check 'sid and sub claims'") as string,
        }),
      );
    });
  });
});

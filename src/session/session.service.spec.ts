import { Logger } from '@nestjs/common';
import type { SessionConfig } from '../config/session.config';
import type { KeycloakTokenClient } from '../keycloak/keycloak-token.client';
import type { OidcTokenVerifier } from './oidc-token.verifier';
import type { SessionRepository } from './session.repository';
import { SessionService } from './session.service';

function setup(claims: { sid?: string; sub?: string }) {
  const logoutToken: jest.MockedFunction<OidcTokenVerifier['logoutToken']> = jest.fn();
  const destroyFor: jest.MockedFunction<SessionRepository['destroyFor']> = jest.fn();
  logoutToken.mockResolvedValue(claims);
  destroyFor.mockResolvedValue(2);
  const sut = new SessionService(
    { destroyFor } as unknown as SessionRepository,
    {} as KeycloakTokenClient,
    { logoutToken } as unknown as OidcTokenVerifier,
    {} as SessionConfig,
  );
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  return { sut, destroyFor, warn };
}

describe(SessionService.name, () => {
  describe('backchannelLogout', () => {
    it("should end the user's sessions for a logout token without sid, and log BACKCHANNEL_LOGOUT_SID_MISSING naming doctor's check", async () => {
      const { sut, destroyFor, warn } = setup({ sub: 'u1' });
      await expect(sut.backchannelLogout('token')).resolves.toBe(2);
      expect(destroyFor).toHaveBeenCalledWith({ sub: 'u1' });
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({
          code: 'BACKCHANNEL_LOGOUT_SID_MISSING',
          hint: expect.stringContaining("check 'back-channel logout'") as string,
        }),
      );
    });

    it('should say nothing of a logout token with sid', async () => {
      const { sut, warn } = setup({ sid: 's1', sub: 'u1' });
      await sut.backchannelLogout('token');
      expect(warn).not.toHaveBeenCalled();
    });
  });
});

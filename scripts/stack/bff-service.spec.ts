import type { RunningKeycloak } from '../keycloak/types';
import { bffEnvironment } from './bff-service';
import { backchannelLogoutUrl } from './keycloak-service';
import { parseStackOptions } from './options';

const keycloak: RunningKeycloak = {
  source: 'distribution',
  url: 'http://127.0.0.1:18080',
  adminUser: 'admin',
  adminPassword: 'admin',
  stop: () => Promise.resolve(),
};

describe(bffEnvironment.name, () => {
  it("should let the stack's choices win over the caller's environment, and pass the rest", () => {
    const env = bffEnvironment({ options: parseStackOptions(['--port', '4000'], {}) }, keycloak, {
      PORT: '3000',
      KEYCLOAK_URL: 'http://elsewhere:8080',
      SESSION_ENABLED: 'true',
      LOG_LEVEL: 'debug',
    });
    expect(env).toMatchObject({
      PORT: '4000',
      HOST: '127.0.0.1',
      KEYCLOAK_URL: 'http://127.0.0.1:18080',
      KEYCLOAK_CLIENT_ID: 'bff',
      SESSION_ENABLED: 'false',
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'http://localhost:4000,http://127.0.0.1:4000',
    });
  });

  it('should set up cookie mode on the bff-session client for its own port', () => {
    const env = bffEnvironment(
      { options: parseStackOptions(['--session', '--port', '4000'], {}) },
      keycloak,
      {},
    );
    expect(env).toMatchObject({
      KEYCLOAK_CLIENT_ID: 'bff-session',
      KEYCLOAK_CLIENT_SECRET: 'bff-session-secret',
      SESSION_ENABLED: 'true',
      SESSION_REDIRECT_URI: 'http://127.0.0.1:4000/auth/callback',
      SESSION_POST_LOGOUT_REDIRECT_URI: 'http://127.0.0.1:4000/',
    });
    expect(Buffer.from(env.SESSION_ENCRYPTION_KEY ?? '', 'base64')).toHaveLength(32);
    expect(backchannelLogoutUrl(4000)).toBe('http://127.0.0.1:4000/auth/backchannel-logout');
  });
});

import { startKeycloak } from '../keycloak/harness';
import { portOptionHint } from './options';
import type { StackContext, StackService } from './service';

/** Where Keycloak sends bff-session's back-channel logouts: the stack's own BFF. */
export function backchannelLogoutUrl(bffPort: number): string {
  return `http://127.0.0.1:${bffPort}/auth/backchannel-logout`;
}

/** The Keycloak distribution with the demo realm, or the Keycloak that KEYCLOAK_URL names. */
export const keycloakService: StackService = {
  name: 'Keycloak',

  ports: (ctx) =>
    process.env.KEYCLOAK_URL
      ? []
      : [
          {
            port: ctx.options.keycloakPort,
            what: 'Keycloak',
            option: portOptionHint('keycloakPort'),
          },
          {
            port: ctx.options.keycloakManagementPort,
            what: "Keycloak's management interface",
            option: portOptionHint('keycloakManagementPort'),
          },
        ],

  start: async (ctx: StackContext) => {
    const keycloak = await startKeycloak({
      env: { ...process.env, KEYCLOAK_HARNESS: 'distribution' },
      port: ctx.options.keycloakPort,
      managementPort: ctx.options.keycloakManagementPort,
      realmEnv: { BFF_BACKCHANNEL_LOGOUT_URL: backchannelLogoutUrl(ctx.options.port) },
      signal: ctx.signal,
      log: (m) => ctx.log(`[keycloak] ${m}`),
    });
    ctx.keycloak = keycloak;
    const banner = [
      `Keycloak     ${keycloak.url}  (admin console ${keycloak.url}/admin, ` +
        `${keycloak.adminUser}/${keycloak.adminPassword}, development only)`,
    ];
    if (keycloak.logFile) {
      banner.push(`Keycloak log ${keycloak.logFile}  (tail -f it to follow)`);
    }
    return {
      banner,
      exited: keycloak.exited
        ? keycloak.exited.then((code) => `Keycloak ended (${code})`)
        : new Promise<string>(() => undefined),
      stop: () => keycloak.stop(),
    };
  },
};

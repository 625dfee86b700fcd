/**
 * The exact fix as a command line of `kcadm.sh`, Keycloak's admin CLI (in `bin/` of every
 * Keycloak distribution and image), with realm, client and values filled in. Each command
 * assumes a `kcadm.sh config credentials …` session, which the doctor's report says once.
 * https://www.keycloak.org/docs/latest/server_admin/#admin-cli
 */

/** One shell word: as is when it is plain, else in single quotes. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A `-s` path for kcadm.sh: attribute keys with dots go in double quotes
 * (`attributes."pkce.code.challenge.method"`), as kcadm.sh reads them.
 */
export const attribute = (key: string): string => `attributes."${key}"`;

type Settings = Record<string, string | number | boolean | readonly string[]>;

function sets(settings: Settings): string[] {
  return Object.entries(settings).map(([path, value]) => {
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return `-s ${shellWord(`${path}=${text}`)}`;
  });
}

const command = (...words: string[]): string => ['kcadm.sh', ...words].join(' ');

export const kcadm = {
  /** Logs kcadm.sh in once; the commands below reuse that session. */
  login: (serverUrl: string): string =>
    command(
      'config credentials',
      `--server ${shellWord(serverUrl)}`,
      '--realm master --user <admin>',
    ),

  updateRealm: (realm: string, settings: Settings): string =>
    command('update', `realms/${realm}`, ...sets(settings)),

  /** `clientUuid` is the client's id in the Admin API, not its client id. */
  updateClient: (realm: string, clientUuid: string, settings: Settings): string =>
    command('update', `clients/${clientUuid}`, `-r ${realm}`, ...sets(settings)),

  addDefaultClientScope: (realm: string, clientUuid: string, scopeId: string): string =>
    command('update', `clients/${clientUuid}/default-client-scopes/${scopeId}`, `-r ${realm}`),

  addOptionalClientScope: (realm: string, clientUuid: string, scopeId: string): string =>
    command('update', `clients/${clientUuid}/optional-client-scopes/${scopeId}`, `-r ${realm}`),

  createClientScope: (realm: string, name: string): string =>
    command(
      'create client-scopes',
      `-r ${realm}`,
      ...sets({ name, protocol: 'openid-connect', 'attributes."include.in.token.scope"': true }),
    ),

  /** An Audience mapper on the client: its tokens (exchanged ones included) may name `audience`. */
  createAudienceMapper: (realm: string, clientUuid: string, audience: string): string =>
    command(
      'create',
      `clients/${clientUuid}/protocol-mappers/models`,
      `-r ${realm}`,
      ...sets({
        name: `audience-${audience}`,
        protocol: 'openid-connect',
        protocolMapper: 'oidc-audience-mapper',
        'config."included.client.audience"': audience,
        'config."access.token.claim"': true,
        'config."introspection.token.claim"': true,
      }),
    ),

  addClientRoles: (realm: string, username: string, client: string, roles: string[]): string =>
    command(
      'add-roles',
      `-r ${realm}`,
      `--uusername ${shellWord(username)}`,
      `--cclientid ${shellWord(client)}`,
      ...roles.map((role) => `--rolename ${shellWord(role)}`),
    ),
};

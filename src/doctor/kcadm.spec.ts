import { attribute, kcadm, shellWord } from './kcadm';

describe('kcadm', () => {
  describe(shellWord.name, () => {
    it.each([
      ['realms/demo', 'realms/demo'],
      ['accessTokenLifespan=300', 'accessTokenLifespan=300'],
      ['redirectUris=["http://a/*"]', `'redirectUris=["http://a/*"]'`],
      ["it's", `'it'\\''s'`],
      ['', "''"],
    ])('should make %j the shell word %s', (value, word) => {
      expect(shellWord(value)).toBe(word);
    });
  });

  it('should update a realm with each setting as its own -s', () => {
    expect(
      kcadm.updateRealm('demo', { refreshTokenMaxReuse: 1, 'attributes.frontendUrl': 'http://kc' }),
    ).toBe(
      'kcadm.sh update realms/demo -s refreshTokenMaxReuse=1 -s attributes.frontendUrl=http://kc',
    );
  });

  it('should quote dotted attribute keys and JSON lists for the shell', () => {
    expect(
      kcadm.updateClient('demo', 'c-1', {
        [attribute('pkce.code.challenge.method')]: 'S256',
        redirectUris: ['http://a/*', 'http://b/cb'],
        standardFlowEnabled: true,
      }),
    ).toBe(
      `kcadm.sh update clients/c-1 -r demo -s 'attributes."pkce.code.challenge.method"=S256' -s 'redirectUris=["http://a/*","http://b/cb"]' -s standardFlowEnabled=true`,
    );
  });

  it('should add a default client scope by the ids the Admin API knows them by', () => {
    expect(kcadm.addDefaultClientScope('demo', 'c-1', 's-1')).toBe(
      'kcadm.sh update clients/c-1/default-client-scopes/s-1 -r demo',
    );
  });

  it('should create an audience mapper that puts the audience into access tokens', () => {
    expect(kcadm.createAudienceMapper('demo', 'c-1', 'orders-api')).toBe(
      `kcadm.sh create clients/c-1/protocol-mappers/models -r demo -s name=audience-orders-api -s protocol=openid-connect -s protocolMapper=oidc-audience-mapper -s 'config."included.client.audience"=orders-api' -s 'config."access.token.claim"=true' -s 'config."introspection.token.claim"=true'`,
    );
  });

  it('should grant client roles to a user by name', () => {
    expect(
      kcadm.addClientRoles('demo', 'service-account-bff', 'realm-management', [
        'view-realm',
        'view-clients',
      ]),
    ).toBe(
      'kcadm.sh add-roles -r demo --uusername service-account-bff --cclientid realm-management --rolename view-realm --rolename view-clients',
    );
  });

  it('should log in against the server, leaving the admin to fill in', () => {
    expect(kcadm.login('http://kc:8080')).toBe(
      'kcadm.sh config credentials --server http://kc:8080 --realm master --user <admin>',
    );
  });
});

import { AdminPermissionMissingError } from '../../keycloak/keycloak-admin.client';
import type { KeycloakRealmSettings } from '../../keycloak/keycloak-admin.client';
import type { OidcMetadata } from '../../keycloak/oidc-discovery.service';
import type { KeycloakSettings } from '../keycloak-settings';
import type { DoctorFindings } from './doctor-check';
import { IssuerCheck } from './issuer.check';

const withIssuer = (issuer: string): DoctorFindings => ({
  clientAuthenticated: false,
  metadata: { issuer } as OidcMetadata,
});

function setup() {
  const realm: jest.MockedFunction<KeycloakSettings['realm']> = jest.fn();
  const sut = new IssuerCheck(
    {
      expectedIssuer: 'https://sso.example.com/realms/demo',
      publicUrl: 'https://sso.example.com',
      realm: 'demo',
    },
    { realm },
  );
  return { sut, realm };
}

const settings = (attributes: Record<string, string>) =>
  ({ realm: 'demo', attributes }) as KeycloakRealmSettings;

describe(IssuerCheck.name, () => {
  it('should skip without the discovery document', async () => {
    const { sut } = setup();
    await expect(sut.run({ clientAuthenticated: false })).resolves.toEqual({
      status: 'SKIP',
      found: 'Needs the discovery document',
    });
  });

  it("should pass when Keycloak names the issuer the BFF expects, without reading the realm's settings", async () => {
    const { sut, realm } = setup();
    await expect(sut.run(withIssuer('https://sso.example.com/realms/demo'))).resolves.toEqual({
      status: 'PASS',
      found: 'Issuer https://sso.example.com/realms/demo',
    });
    expect(realm).not.toHaveBeenCalled();
  });

  it("should fail on another issuer and suggest the public URL from Keycloak's issuer when the realm has no Frontend URL", async () => {
    const { sut, realm } = setup();
    realm.mockResolvedValue(settings({}));
    await expect(sut.run(withIssuer('http://keycloak:8080/realms/demo'))).resolves.toEqual({
      status: 'FAIL',
      found:
        "Keycloak says issuer 'http://keycloak:8080/realms/demo' but the BFF expects 'https://sso.example.com/realms/demo'; every token would be rejected (TOKEN_ISSUER_MISMATCH)",
      fix: "Set KEYCLOAK_PUBLIC_URL=http://keycloak:8080 (the URL in the issuer), or fix Keycloak's hostname setting.",
      code: 'TOKEN_ISSUER_MISMATCH',
    });
  });

  it('should say the same when the realm cannot be read', async () => {
    const { sut, realm } = setup();
    realm.mockRejectedValue(new AdminPermissionMissingError('bff', undefined, ['view-realm']));
    await expect(sut.run(withIssuer('http://keycloak:8080/realms/demo'))).resolves.toMatchObject({
      status: 'FAIL',
      fix: expect.stringContaining('Set KEYCLOAK_PUBLIC_URL=http://keycloak:8080'),
    });
  });

  it("should name the realm's Frontend URL and give the kcadm.sh command that sets it to the public URL", async () => {
    const { sut, realm } = setup();
    realm.mockResolvedValue(settings({ frontendUrl: 'http://localhost:8080' }));
    await expect(sut.run(withIssuer('http://localhost:8080/realms/demo'))).resolves.toEqual({
      status: 'FAIL',
      found:
        "Keycloak says issuer 'http://localhost:8080/realms/demo' but the BFF expects 'https://sso.example.com/realms/demo'; every token would be rejected (TOKEN_ISSUER_MISMATCH): the realm's Frontend URL is http://localhost:8080",
      fix: "If browsers reach Keycloak at https://sso.example.com, set the realm's Frontend URL to it (Realm settings → General); if http://localhost:8080 is right, set KEYCLOAK_PUBLIC_URL=http://localhost:8080.",
      code: 'TOKEN_ISSUER_MISMATCH',
      kcadm: ['kcadm.sh update realms/demo -s attributes.frontendUrl=https://sso.example.com'],
    });
  });
});

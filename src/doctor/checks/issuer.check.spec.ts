import type { OidcMetadata } from '../../keycloak/oidc-discovery.service';
import type { DoctorFindings } from './doctor-check';
import { IssuerCheck } from './issuer.check';

const withIssuer = (issuer: string): DoctorFindings => ({
  clientAuthenticated: false,
  metadata: { issuer } as OidcMetadata,
});

describe(IssuerCheck.name, () => {
  const sut = new IssuerCheck({ expectedIssuer: 'https://sso.example.com/realms/demo' });

  it('should skip without the discovery document', () => {
    expect(sut.run({ clientAuthenticated: false })).toEqual({
      status: 'SKIP',
      found: 'Needs the discovery document',
    });
  });

  it('should pass when Keycloak names the issuer the BFF expects', () => {
    expect(sut.run(withIssuer('https://sso.example.com/realms/demo'))).toEqual({
      status: 'PASS',
      found: 'Issuer https://sso.example.com/realms/demo',
    });
  });

  it("should fail on another issuer and suggest the public URL from Keycloak's issuer", () => {
    expect(sut.run(withIssuer('http://keycloak:8080/realms/demo'))).toEqual({
      status: 'FAIL',
      found:
        "Keycloak says issuer 'http://keycloak:8080/realms/demo' but the BFF expects 'https://sso.example.com/realms/demo'; every token would be rejected (TOKEN_ISSUER_MISMATCH)",
      fix: "Set KEYCLOAK_PUBLIC_URL=http://keycloak:8080 (the URL in the issuer), or fix Keycloak's hostname setting.",
    });
  });
});

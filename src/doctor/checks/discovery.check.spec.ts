import { IdpUnavailableError } from '../../keycloak/keycloak.errors';
import {
  type OidcDiscoveryService,
  type OidcMetadata,
  RealmNotFoundError,
} from '../../keycloak/oidc-discovery.service';
import { DiscoveryCheck } from './discovery.check';
import type { DoctorFindings } from './doctor-check';

const metadata = { issuer: 'http://kc:8080/realms/demo' } as const satisfies Partial<OidcMetadata>;

function setup() {
  const getMetadata: jest.MockedFunction<OidcDiscoveryService['getMetadata']> = jest.fn();
  const sut = new DiscoveryCheck(
    { getMetadata },
    {
      realm: 'demo',
      url: 'http://kc:8080',
      discoveryUrl: 'http://kc:8080/realms/demo/.well-known/openid-configuration',
    },
  );
  const findings: DoctorFindings = { clientAuthenticated: false };
  return { sut, getMetadata, findings };
}

describe(DiscoveryCheck.name, () => {
  it('should pass and hand the metadata on when discovery loads', async () => {
    const { sut, getMetadata, findings } = setup();
    getMetadata.mockResolvedValue(metadata as OidcMetadata);
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'PASS',
      found: "Realm 'demo' found at http://kc:8080/realms/demo/.well-known/openid-configuration",
    });
    expect(findings.metadata).toBe(metadata);
  });

  it('should name a realm that does not exist and point at KEYCLOAK_REALM', async () => {
    const { sut, getMetadata, findings } = setup();
    getMetadata.mockRejectedValue(new RealmNotFoundError('demo', 'http://kc:8080'));
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'FAIL',
      found: "Realm 'demo' does not exist at http://kc:8080",
      fix: 'Check KEYCLOAK_REALM (case-sensitive) or import the realm.',
    });
    expect(findings.metadata).toBeUndefined();
  });

  it('should report any other failure in its own words and point at KEYCLOAK_URL', async () => {
    const { sut, getMetadata, findings } = setup();
    getMetadata.mockRejectedValue(new IdpUnavailableError('discovery', 'ECONNREFUSED'));
    await expect(sut.run(findings)).resolves.toEqual({
      status: 'FAIL',
      found: 'Keycloak could not be reached (discovery endpoint): ECONNREFUSED',
      fix: 'Check KEYCLOAK_URL and that Keycloak is running and reachable from this host.',
    });
  });
});

import { generateKeyPairSync } from 'node:crypto';
import type { JwksService, VerificationKey } from '../../keycloak/jwks.service';
import type { BackchannelEndpoints, OidcMetadata } from '../../keycloak/oidc-discovery.service';
import type { DoctorFindings } from './doctor-check';
import { JwksCheck } from './jwks.check';

const DISCOVERED = 'http://kc:8080/realms/demo/protocol/openid-connect/certs';
const GUESSED = 'http://guess/realms/demo/protocol/openid-connect/certs';
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = (kid: string, alg: VerificationKey['alg']): VerificationKey => ({
  kid,
  alg,
  key: publicKey,
});

function setup() {
  const getEndpoints = jest.fn(() => Promise.resolve({ jwks: DISCOVERED } as BackchannelEndpoints));
  const loadFrom: jest.MockedFunction<JwksService['loadFrom']> = jest.fn();
  const sut = new JwksCheck({ getEndpoints, conventionalJwksUri: GUESSED }, { loadFrom });
  return { sut, loadFrom };
}

const discovered: DoctorFindings = { clientAuthenticated: false, metadata: {} as OidcMetadata };
const undiscovered: DoctorFindings = { clientAuthenticated: false };

describe(JwksCheck.name, () => {
  it('should pass with the count and algorithms of the keys at the discovered URI', async () => {
    const { sut, loadFrom } = setup();
    loadFrom.mockResolvedValue([key('a', 'RS256'), key('b', 'RS256'), key('c', 'ES256')]);
    await expect(sut.run(discovered)).resolves.toEqual({
      status: 'PASS',
      found: `3 signing key(s) (RS256, ES256) at ${DISCOVERED}`,
    });
    expect(loadFrom).toHaveBeenCalledWith(DISCOVERED);
  });

  it('should try the conventional URI when discovery failed, and say the URL was guessed', async () => {
    const { sut, loadFrom } = setup();
    loadFrom.mockRejectedValue(new Error(`The certs endpoint answered 403 (${GUESSED})`));
    await expect(sut.run(undiscovered)).resolves.toEqual({
      status: 'FAIL',
      found: `The certs endpoint answered 403 (${GUESSED}) (URL guessed: discovery failed)`,
      fix: 'A WAF or proxy refusing the request (403), a wrong KEYCLOAK_URL or a realm without RS/ES keys are the usual causes.',
    });
    expect(loadFrom).toHaveBeenCalledWith(GUESSED);
  });

  it('should fail at the discovered URI without calling it guessed', async () => {
    const { sut, loadFrom } = setup();
    loadFrom.mockRejectedValue(new Error('no RSA/EC signing key we accept'));
    await expect(sut.run(discovered)).resolves.toMatchObject({
      status: 'FAIL',
      found: 'no RSA/EC signing key we accept',
    });
  });
});

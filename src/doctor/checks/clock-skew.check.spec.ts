import { sign } from 'jsonwebtoken';
import type { KeycloakTokenResponse } from '../../keycloak/keycloak-token.client';
import { ClockSkewCheck } from './clock-skew.check';

const NOW_S = 1_800_000_000;

const issuedAt = (iat?: number): KeycloakTokenResponse => ({
  // jsonwebtoken keeps a given iat, and adds none only with noTimestamp.
  access_token:
    iat === undefined ? sign({}, 'unused', { noTimestamp: true }) : sign({ iat }, 'unused'),
  expires_in: 300,
  token_type: 'Bearer',
});

describe(ClockSkewCheck.name, () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW_S * 1000);
  });

  it('should skip without a token', () => {
    const sut = new ClockSkewCheck({ clockToleranceSec: 5 });
    expect(sut.run({ clientAuthenticated: true })).toEqual({
      status: 'SKIP',
      found: 'Needs a token',
    });
  });

  it('should skip on a token without iat', () => {
    const sut = new ClockSkewCheck({ clockToleranceSec: 5 });
    expect(sut.run({ clientAuthenticated: true, serviceToken: issuedAt() })).toMatchObject({
      status: 'SKIP',
    });
  });

  it.each([
    [5, -5, 'PASS', "This host's clock is 5 s ahead of Keycloak's (token iat)"],
    [5, 5, 'PASS', "This host's clock is 5 s behind Keycloak's (token iat)"],
    [0, 2, 'PASS', "This host's clock is 2 s behind Keycloak's (token iat)"],
    [0, 0, 'PASS', "This host's clock is 0 s ahead of Keycloak's (token iat)"],
  ] as const)(
    'should pass within the tolerance (%i s, iat %i s from now)',
    (clockToleranceSec, offset, status, found) => {
      const sut = new ClockSkewCheck({ clockToleranceSec });
      const serviceToken = issuedAt(NOW_S + offset);
      expect(sut.run({ clientAuthenticated: true, serviceToken })).toEqual({ status, found });
    },
  );

  it.each([
    [5, -6, "This host's clock is 6 s ahead of Keycloak's (token iat)"],
    [0, 3, "This host's clock is 3 s behind Keycloak's (token iat)"],
  ] as const)(
    'should fail past the tolerance (%i s, iat %i s from now)',
    (clockToleranceSec, offset, found) => {
      const sut = new ClockSkewCheck({ clockToleranceSec });
      const userToken = issuedAt(NOW_S + offset);
      expect(sut.run({ clientAuthenticated: true, userToken })).toEqual({
        status: 'FAIL',
        found,
        fix: 'Synchronise clocks (NTP) or raise AUTH_CLOCK_TOLERANCE_S.',
      });
    },
  );
});

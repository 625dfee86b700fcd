import { sign } from 'jsonwebtoken';
import { sessionCallerOf, userClaimsOf } from './session-claims';
import type { SessionRecord } from './session.types';

describe(userClaimsOf.name, () => {
  it("should keep the ID token's claims about the user and drop the protocol ones", () => {
    expect(
      userClaimsOf({
        sub: 'alice',
        email: 'alice@example.com',
        name: 'Alice',
        iss: 'http://kc/realms/demo',
        aud: 'bff',
        exp: 1,
        iat: 1,
        nonce: 'n',
        sid: 'kc-1',
        at_hash: 'h',
        acr: '1',
      }),
    ).toEqual({ sub: 'alice', email: 'alice@example.com', name: 'Alice' });
  });
});

describe(sessionCallerOf.name, () => {
  it('should describe the caller as the bearer path does, marked as a session caller', () => {
    const accessToken = sign(
      {
        sub: 'alice',
        realm_access: { roles: ['admin'] },
        resource_access: { api: { roles: ['r'] } },
      },
      'test',
    );
    const record = { accessToken } as SessionRecord;

    const caller = sessionCallerOf(record);

    expect(caller).toMatchObject({
      claims: { sub: 'alice' },
      roles: ['admin', 'api:r'],
      accessToken,
      viaSession: true,
    });
  });
});

import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../test/utils/manual-clock';
import type { SessionConfig } from '../config/session.config';
import { LoginTransactionRepository } from './login-transaction.repository';
import { SessionSealer } from './session-sealer';
import { MemorySessionStore } from './store/memory-session.store';

const CONFIG = {
  encryptionKeys: [randomBytes(32)],
  loginTimeoutMs: 300_000,
  pendingLoginsPerIp: 3,
} as SessionConfig;

const TX = { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/app/secret-path' };

describe(LoginTransactionRepository.name, () => {
  let clock: ManualClock;
  let store: MemorySessionStore;
  let sut: LoginTransactionRepository;
  beforeEach(() => {
    clock = new ManualClock();
    store = new MemorySessionStore(clock);
    sut = new LoginTransactionRepository(store, new SessionSealer(CONFIG), CONFIG);
  });
  afterEach(async () => {
    await store.close();
  });

  it('should hand a pending login out once', async () => {
    const id = await sut.save(TX, '192.0.2.1');

    expect(await sut.take(id)).toEqual(TX);
    expect(await sut.take(id)).toBeUndefined();
  });

  it('should store it sealed, under a key that is not the cookie value', async () => {
    const set = jest.spyOn(store, 'setInGroup');
    const id = await sut.save(TX, '192.0.2.1');

    const [key, value] = set.mock.calls[0] ?? [];
    expect(key).not.toContain(id);
    expect(value).not.toContain('secret-path');
  });

  it('should forget a pending login after SESSION_LOGIN_TIMEOUT_S', async () => {
    const id = await sut.save(TX, '192.0.2.1');
    clock.advance(300_000);

    expect(await sut.take(id)).toBeUndefined();
  });
});

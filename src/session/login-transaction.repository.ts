import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config/session.config';
import { randomId, storeKeys } from './session-ids';
import { SessionSealer } from './session-sealer';
import type { LoginTransaction } from './session.types';
import { SESSION_STORE, type SessionStore } from './store/session-store';

/**
 * Pending logins, between GET /auth/login and its callback: sealed like sessions, kept for
 * SESSION_LOGIN_TIMEOUT_S, and usable once.
 */
@Injectable()
export class LoginTransactionRepository {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly sealer: SessionSealer,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  /**
   * Stores a pending login counted against its client IP: past SESSION_LOGIN_PENDING_PER_IP that
   * IP's oldest pending login goes, so a client starting logins in a loop cannot crowd out
   * anyone else's. Returns the id for the login cookie.
   */
  async save(tx: LoginTransaction, clientIp: string): Promise<string> {
    const id = randomId();
    const key = storeKeys.loginTransaction(id);
    await this.store.setInGroup(
      key,
      this.sealer.seal(tx, key),
      this.config.loginTimeoutMs,
      storeKeys.loginsOfIp(clientIp),
      this.config.pendingLoginsPerIp,
    );
    return id;
  }

  /** The login transaction, deleted as it is read: a callback can be used once. */
  async take(id: string): Promise<LoginTransaction | undefined> {
    const key = storeKeys.loginTransaction(id);
    const sealed = await this.store.take(key);
    return sealed === undefined ? undefined : this.sealer.open<LoginTransaction>(sealed, key);
  }
}

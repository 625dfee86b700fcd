import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config/session.config';
import { SessionCipher } from './session-cipher';

/** What the repositories store: JSON sealed with the session cipher, bound to its store key. */
@Injectable()
export class SessionSealer {
  private readonly cipher?: SessionCipher;

  constructor(@Inject(sessionConfig.KEY) config: ConfigType<typeof sessionConfig>) {
    this.cipher =
      config.encryptionKeys.length > 0 ? new SessionCipher(config.encryptionKeys) : undefined;
  }

  seal(value: object, key: string): string {
    return this.requireCipher().encrypt(JSON.stringify(value), key);
  }

  /** The value, or undefined when no key opens it (sealed under another key or store key). */
  open<T>(sealed: string, key: string): T | undefined {
    const json = this.requireCipher().decrypt(sealed, key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  private requireCipher(): SessionCipher {
    if (!this.cipher) {
      // Config validation requires the key whenever the session mode is on.
      throw new Error('SESSION_ENCRYPTION_KEY is not set');
    }
    return this.cipher;
  }
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Records kept opened (about the size of the sealed text each, a few KB). */
const OPENED_MAX = 256;

/**
 * AES-256-GCM for session data at rest. The store key is bound as additional authenticated
 * data, so a record copied under another session's key does not decrypt.
 *
 * Several keys make a key change possible without logging everyone out: the first key seals,
 * every key opens (GCM's tag tells a wrong key from the right one, so no key id is stored and
 * records sealed before the change keep their format).
 */
export class SessionCipher {
  private readonly sealing: Buffer;
  private readonly keys: readonly Buffer[];
  /**
   * The last record opened per store key: a session's every request reads the same sealed
   * record until it changes (refresh), and opening it is most of that request's cost. Reused
   * only for the identical sealed text; bounded.
   */
  private readonly opened = new Map<string, { sealed: string; plaintext: string }>();

  constructor(keys: readonly Buffer[]) {
    const [first] = keys;
    if (!first || keys.some((key) => key.length !== 32)) {
      throw new Error('SessionCipher needs one or more 32-byte keys');
    }
    this.sealing = first;
    this.keys = [...keys];
  }

  /** Sealed with the first key. */
  encrypt(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.sealing, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /**
   * Opened with whichever key sealed it; `undefined` when the record was tampered with, bound
   * to another store key or sealed with none of the keys.
   */
  decrypt(sealed: string, boundTo: string): string | undefined {
    const last = this.opened.get(boundTo);
    if (last?.sealed === sealed) {
      return last.plaintext;
    }
    const plaintext = this.open(sealed, boundTo);
    if (plaintext !== undefined) {
      if (!last && this.opened.size >= OPENED_MAX) {
        const oldest = this.opened.keys().next();
        if (!oldest.done) {
          this.opened.delete(oldest.value);
        }
      }
      this.opened.set(boundTo, { sealed, plaintext });
    }
    return plaintext;
  }

  private open(sealed: string, boundTo: string): string | undefined {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) {
      return undefined;
    }
    for (const key of this.keys) {
      const plaintext = open(key, raw, boundTo);
      if (plaintext !== undefined) {
        return plaintext;
      }
    }
    return undefined;
  }
}

function open(key: Buffer, raw: Buffer, boundTo: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * Sealing values at rest (Secrets Manager's secret values, SSM's SecureStrings): AES-256-GCM
 * under a key the control plane keeps, with the value's own context (its ARN and version) as
 * associated data, so a sealed value cannot be moved to another record and opened there. Pure:
 * the key is given; `cli/` loads or makes it.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'w1';

/** Seals and opens values under one 32-byte key. */
export class Sealer {
  /** A short, stable id of the key (not the key), stored beside sealed values so a wrong key is told apart. */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('The sealing key must be 32 bytes.');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /** `plaintext` sealed for `context`: `w1.<keyId>.<base64 iv|tag|ciphertext>`. */
  seal(plaintext: string | Buffer, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return `${VERSION}.${this.keyId}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** The plaintext of a value sealed for `context`; throws when the key, the context or the value is not the one it was sealed with. */
  open(sealed: string, context: string): Buffer {
    const [version, keyId, data] = sealed.split('.');
    if (version !== VERSION || data === undefined) throw new Error('Not a sealed value.');
    if (keyId !== this.keyId) throw new Error(`Sealed under another key (${keyId}); this control plane has ${this.keyId}.`);
    const raw = Buffer.from(data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  }
}

/**
 * The SHA-256 and HMAC-SHA256 that `@smithy/signature-v4` asks for, from node:crypto: the
 * signer is crypto-agnostic and the SDKs hand it their own; Wharf hands it Node's.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type Key = string | ArrayBuffer | ArrayBufferView;

function keyBytes(secret: Key): string | Uint8Array {
  if (typeof secret === 'string') return secret;
  if (ArrayBuffer.isView(secret)) return new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength);
  return new Uint8Array(secret);
}

/**
 * A hash for the signer: SHA-256 when built without a key, HMAC-SHA256 with one (the signer
 * derives the signing key and signs the string to sign through the keyed form).
 */
export class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly key: string | Uint8Array | undefined;

  constructor(secret?: Key) {
    this.key = secret === undefined ? undefined : keyBytes(secret);
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.key === undefined ? createHash('sha256') : createHmac('sha256', this.key);
  }

  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    const out = this.hash.digest();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

/** The hex SHA-256 of a payload, as SigV4 writes the hashed payload. */
export function sha256Hex(payload: Uint8Array | string): string {
  return createHash('sha256').update(payload).digest('hex');
}

/**
 * Content digests (`sha256:<64 hex>`), the registry's only address for blobs and manifests.
 * Only sha256 is stored; anything else is refused at the edge with a clear DIGEST_INVALID,
 * never hashed with a different algorithm or looked up on disk.
 */
import { createHash } from 'node:crypto';
import { RegistryErrors } from './errors.ts';

const SHA256 = /^sha256:[a-f0-9]{64}$/;
/** The digest grammar of the OCI image spec: algorithm ":" encoded. */
const ANY_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** True for a well-formed sha256 digest (lowercase hex, as the image spec requires). */
export function isSha256Digest(value: string): boolean {
  return SHA256.test(value);
}

/** True for anything shaped like a digest of any algorithm (to tell digest references from tags). */
export function looksLikeDigest(value: string): boolean {
  return ANY_DIGEST.test(value);
}

/**
 * Checks a digest the client gave and returns it; a malformed one or one of another algorithm
 * (sha512, ...) is a DIGEST_INVALID saying which.
 */
export function requireSha256(value: string | null | undefined, what = 'digest'): string {
  if (value === null || value === undefined || value === '') throw RegistryErrors.digestInvalid(`${what} is required`);
  if (SHA256.test(value)) return value;
  if (ANY_DIGEST.test(value)) {
    const algorithm = value.slice(0, value.indexOf(':'));
    if (algorithm !== 'sha256') {
      throw RegistryErrors.digestInvalid(`unsupported digest algorithm '${algorithm.slice(0, 32)}': this registry stores sha256 digests only`, {
        digest: value.slice(0, 200),
      });
    }
  }
  throw RegistryErrors.digestInvalid(`'${value.slice(0, 200)}' is not a sha256 digest (sha256:<64 lowercase hex>)`, { digest: value.slice(0, 200) });
}

/** The sha256 digest of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

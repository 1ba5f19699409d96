/**
 * GetRandomPassword, pure over a source of random bytes: a password of the asked length from the
 * character classes not excluded, with one of each class when RequireEachIncludedType (the
 * default). Characters are drawn without bias (bytes beyond the last whole multiple are redrawn).
 */
import { SecretsErrors } from './errors.ts';

/** The punctuation Secrets Manager draws from. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** What GetRandomPassword asks for. */
export interface PasswordOptions {
  length?: number;
  excludeCharacters?: string;
  excludeNumbers?: boolean;
  excludePunctuation?: boolean;
  excludeUppercase?: boolean;
  excludeLowercase?: boolean;
  includeSpace?: boolean;
  requireEachIncludedType?: boolean;
}

/** A random password; `bytes()` returns fresh random bytes on each call. */
export function randomPassword(o: PasswordOptions, bytes: () => Uint8Array): string {
  const length = o.length ?? 32;
  if (length < 1 || length > 4096) throw SecretsErrors.invalidParameter('PasswordLength must be between 1 and 4096.');
  const excluded = new Set(o.excludeCharacters ?? '');
  const classes = [
    o.excludeLowercase ? '' : 'abcdefghijklmnopqrstuvwxyz',
    o.excludeUppercase ? '' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    o.excludeNumbers ? '' : '0123456789',
    o.excludePunctuation ? '' : PUNCTUATION,
    o.includeSpace ? ' ' : '',
  ].map((c) => [...c].filter((ch) => !excluded.has(ch)).join('')).filter((c) => c.length > 0);
  if (classes.length === 0) throw SecretsErrors.invalidParameter('The password can\'t be made: every character is excluded.');
  const required = o.requireEachIncludedType ?? true;
  if (required && classes.length > length) throw SecretsErrors.invalidParameter('The password length is too short to include every required character type.');
  let pool: number[] = [];
  const byte = (): number => {
    if (pool.length === 0) pool = [...bytes()];
    return pool.pop()!;
  };
  const pick = (from: string): string => {
    const limit = 256 - (256 % from.length);
    for (;;) {
      const b = byte();
      if (b < limit) return from[b % from.length]!;
    }
  };
  const all = classes.join('');
  const chars = [...(required ? classes.map(pick) : []), ...Array.from({ length: length - (required ? classes.length : 0) }, () => pick(all))];
  // Shuffle so the required characters are not always first (Fisher–Yates).
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Number(BigInt(byte()) * 256n + BigInt(byte())) % (i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

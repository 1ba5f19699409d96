/**
 * The key the control plane seals secret values with (Secrets Manager, SSM SecureStrings):
 * `WHARF_SEALING_KEY` (32 bytes, base64) when set — every replica of a distributed Wharf must be
 * given the same one — else `<data-dir>/sealing-key`, made on first start (owner-only).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sealer } from '../common/index.ts';

/** The sealer of this control plane, from the environment or the data dir's key file. */
export function loadSealer(dataDir: string, env: NodeJS.ProcessEnv): Sealer {
  const given = env.WHARF_SEALING_KEY;
  if (given !== undefined) {
    const key = Buffer.from(given, 'base64');
    if (key.length !== 32) throw new Error('WHARF_SEALING_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32).');
    return new Sealer(key);
  }
  return new Sealer(Buffer.from(sealingKeyIn(dataDir), 'base64'));
}

/** The base64 key in `<dir>/sealing-key`, made on first use (owner-only): `wharf cluster` hands it to every replica. */
export function sealingKeyIn(dir: string): string {
  const file = join(dir, 'sealing-key');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

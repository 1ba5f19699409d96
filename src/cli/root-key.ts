/**
 * The account root's access key, as an operator receives it: created in IAM on the first start
 * (or seeded from WHARF_ROOT_ACCESS_KEY_ID / WHARF_ROOT_SECRET_ACCESS_KEY), and written once to
 * `<data dir>/root-credentials` — readable by its owner only, in the AWS CLI's credentials-file
 * form so `AWS_SHARED_CREDENTIALS_FILE=<that file> aws ...` signs as root.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Ids } from '../common/index.ts';
import { ensureRootAccessKey } from '../identity/index.ts';
import type { Store } from '../state/index.ts';

/** The root key and where its file is. */
export interface RootKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** The credentials file written when the key was created. */
  file: string;
  /** True on the start that created it. */
  created: boolean;
}

/** Ensures the root key exists; on creation writes its file (mode 0600). */
export async function ensureRootKey(store: Store, dataDir: string, account: string, ids: Ids, clock: Clock, env: NodeJS.ProcessEnv): Promise<RootKey> {
  const seedId = env.WHARF_ROOT_ACCESS_KEY_ID;
  const seedSecret = env.WHARF_ROOT_SECRET_ACCESS_KEY;
  if ((seedId === undefined) !== (seedSecret === undefined)) {
    throw new Error('WHARF_ROOT_ACCESS_KEY_ID and WHARF_ROOT_SECRET_ACCESS_KEY are given together or not at all');
  }
  if (seedId !== undefined && !/^[A-Z0-9]{16,128}$/.test(seedId)) throw new Error('WHARF_ROOT_ACCESS_KEY_ID must be 16-128 uppercase letters and digits');
  if (seedSecret !== undefined && seedSecret.length < 16) throw new Error('WHARF_ROOT_SECRET_ACCESS_KEY must be at least 16 characters');
  const seed = seedId && seedSecret ? { accessKeyId: seedId, secretAccessKey: seedSecret } : undefined;
  const key = await ensureRootAccessKey(store, account, ids, clock, seed);
  const file = join(dataDir, 'root-credentials');
  if (key.created) {
    const text = `# The root access key of account ${account} on this Wharf: it may do anything. Keep it secret.\n`
      + `[default]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
    writeFileSync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600); // a file left from an earlier store keeps its old mode otherwise
  }
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, file, created: key.created };
}

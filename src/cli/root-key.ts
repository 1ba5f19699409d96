/**
 * The account root's access key, as an operator receives it: created in IAM on the first start
 * (or seeded from WHARF_ROOT_ACCESS_KEY_ID / WHARF_ROOT_SECRET_ACCESS_KEY), and written once to
 * `<data dir>/root-credentials` — readable by its owner only, in the AWS CLI's credentials-file
 * form so `AWS_SHARED_CREDENTIALS_FILE=<that file> aws ...` signs as root.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Ids } from '../common/index.ts';
import { accessKeyId, ensureRootAccessKey, secretAccessKey } from '../identity/index.ts';
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
  if (key.created) writeCredentialsFile(file, key, `The root access key of account ${account} on this Wharf: it may do anything.`);
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, file, created: key.created };
}

/** Writes a key in the AWS CLI's credentials-file form, readable by its owner only. */
function writeCredentialsFile(file: string, key: { accessKeyId: string; secretAccessKey: string }, about: string): void {
  const text = `# ${about} Keep it secret.\n[default]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // a file left from an earlier store keeps its old mode otherwise
}

/**
 * The root key of a local cluster (`wharf cluster`): the one its first start wrote to
 * `<dataDir>/root-credentials`, or a new one, written there, for the replicas to be seeded
 * with and the agents to sign with.
 */
export function localClusterRootKey(dataDir: string, ids: Ids): Omit<RootKey, 'created'> {
  const file = join(dataDir, 'root-credentials');
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const accessKeyId = /aws_access_key_id = (\S+)/.exec(text)?.[1];
    const secretAccessKey = /aws_secret_access_key = (\S+)/.exec(text)?.[1];
    if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, file };
  }
  const key = { accessKeyId: accessKeyId(ids), secretAccessKey: secretAccessKey(ids) };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeCredentialsFile(file, key, 'The root access key of this local Wharf cluster.');
  return { ...key, file };
}

/**
 * Logical backups: every key and value of a store at one revision, as JSON lines, the same on
 * SQLite and etcd, so a backup of either restores into either (moving `wharf dev`'s data to
 * etcd is a backup of the one and a restore into the other).
 *
 *   {"format":"wharf-backup/1","revision":1234}
 *   {"key":"ecs/…","value":"…"}            one line per key, in key order
 *   {"end":true,"keys":5678}               a file without it was cut short
 *
 * A backup holds secrets (IAM secret keys, signing keys): write it where only its owner reads.
 */
import type { Op, Store } from './store.ts';

export const BACKUP_FORMAT = 'wharf-backup/1';
const PAGE = 500;
/** Writes per restore transaction (etcd takes at most 128 operations in one). */
const RESTORE_BATCH = 100;

/** A backup that cannot be restored: what is wrong with it, and on which line. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/**
 * The backup's lines (each without its newline). Every page is read at the first page's
 * revision; a store that cannot read a past revision (SQLite, when a write came between pages)
 * makes the backup start again, at most `attempts` times.
 */
export async function* backupLines(store: Store, attempts = 5): AsyncGenerator<string> {
  for (let attempt = 1; ; attempt++) {
    const lines: string[] = [];
    try {
      let page = await store.range('', { limit: PAGE });
      const revision = page.revision;
      lines.push(JSON.stringify({ format: BACKUP_FORMAT, revision }));
      let keys = 0;
      for (;;) {
        for (const kv of page.kvs) lines.push(JSON.stringify({ key: kv.key, value: kv.value }));
        keys += page.kvs.length;
        if (!page.more) break;
        page = await store.range('', { limit: PAGE, startAfter: page.kvs[page.kvs.length - 1].key, revision });
      }
      lines.push(JSON.stringify({ end: true, keys }));
    } catch (error) {
      if (error instanceof RangeError && attempt < attempts) continue;
      throw error;
    }
    yield* lines;
    return;
  }
}

/**
 * Restores a backup into an empty store; answers how many keys it wrote. The whole backup is
 * read and checked before the first write, so a damaged one changes nothing. Refuses a store
 * that holds anything.
 */
export async function restoreLines(store: Store, lines: AsyncIterable<string>): Promise<{ keys: number; revision: number }> {
  if ((await store.range('', { limit: 1 })).kvs.length) {
    throw new BackupError('The store is not empty: a backup is restored into a new store only.');
  }
  let header = false;
  let end: { keys?: unknown } | undefined;
  const puts: Op[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    if (end) throw new BackupError(`line ${lineNumber}: data after the end of the backup`);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new BackupError(`line ${lineNumber}: not JSON`);
    }
    if (!header) {
      if (entry.format !== BACKUP_FORMAT) throw new BackupError(`line ${lineNumber}: not a Wharf backup (format ${String(entry.format)}, expected ${BACKUP_FORMAT})`);
      header = true;
    } else if (entry.end === true) {
      end = entry;
    } else if (typeof entry.key === 'string' && typeof entry.value === 'string') {
      puts.push({ type: 'put', key: entry.key, value: entry.value });
    } else {
      throw new BackupError(`line ${lineNumber}: expected {"key": string, "value": string}`);
    }
  }
  if (!header) throw new BackupError('The backup is empty.');
  if (!end) throw new BackupError(`The backup was cut short: no end line after ${puts.length} keys. Nothing was restored.`);
  if (end.keys !== puts.length) throw new BackupError(`The backup says ${String(end.keys)} keys but holds ${puts.length}. Nothing was restored.`);
  for (let i = 0; i < puts.length; i += RESTORE_BATCH) {
    const { succeeded } = await store.txn([], puts.slice(i, i + RESTORE_BATCH));
    if (!succeeded) throw new BackupError('A restore write was refused.');
  }
  return { keys: puts.length, revision: await store.revision() };
}

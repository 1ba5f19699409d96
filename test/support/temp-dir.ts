/**
 * Fresh directories under the OS temp dir for tests and benchmarks, removed when the process
 * that made them exits (its wharf processes are stopped by then), so a run leaves nothing behind.
 * No node:test hooks here: benchmarks use it too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A new empty directory named `<prefix>XXXXXX`, removed at process exit. */
export function tempDir(prefix = 'wharf-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.size === 0) process.once('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
  made.add(dir);
  return dir;
}

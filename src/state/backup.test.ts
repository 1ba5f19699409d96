import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backupLines, BackupError, restoreLines } from './backup.ts';
import { SqliteStore } from './sqlite.ts';

async function* from(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

async function collect(store: SqliteStore): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of backupLines(store)) lines.push(line);
  return lines;
}

describe('backups', () => {
  it('hold every key at one revision and restore into an empty store', async () => {
    const source = SqliteStore.open(':memory:');
    for (let i = 0; i < 1234; i++) await source.txn([], [{ type: 'put', key: `k/${String(i).padStart(4, '0')}`, value: `v${i} ✓` }]);
    const lines = await collect(source);
    assert.deepEqual(JSON.parse(lines[0]), { format: 'wharf-backup/1', revision: 1234 });
    assert.deepEqual(JSON.parse(lines[lines.length - 1]), { end: true, keys: 1234 });
    const target = SqliteStore.open(':memory:');
    assert.equal((await restoreLines(target, from(lines))).keys, 1234);
    const [a, b] = [await source.range(''), await target.range('')];
    assert.deepEqual(b.kvs.map((kv) => [kv.key, kv.value]), a.kvs.map((kv) => [kv.key, kv.value]));
    await assert.rejects(restoreLines(target, from(lines)), /not empty/);
  });

  it('refuse damaged backups before writing anything', async () => {
    const source = SqliteStore.open(':memory:');
    await source.txn([], [{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }]);
    const lines = await collect(source);
    const cases: [string[], RegExp][] = [
      [[], /empty/],
      [['{"format":"tar"}'], /not a Wharf backup/],
      [lines.slice(0, -1), /cut short/],
      [[...lines.slice(0, 2), lines[lines.length - 1]], /says 2 keys but holds 1/],
      [[lines[0], 'nope', ...lines.slice(1)], /line 2: not JSON/],
      [[lines[0], '{"key":1}', ...lines.slice(1)], /line 2: expected/],
      [[...lines, lines[1]], /after the end/],
    ];
    for (const [input, message] of cases) {
      const target = SqliteStore.open(':memory:');
      await assert.rejects(restoreLines(target, from(input)), (error: Error) => error instanceof BackupError && message.test(error.message));
      assert.equal((await target.range('')).kvs.length, 0, `nothing written for ${message}`);
    }
  });
});

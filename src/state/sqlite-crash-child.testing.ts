/**
 * Child process for the SQLite crash test: writes acknowledged transactions to a store file
 * until it is killed, printing `ack <i> <revision>` only after each txn() has resolved.
 * Each txn writes two keys, so the parent can also check atomicity across the kill.
 */
import { SqliteStore } from './sqlite.ts';

const [path, countArg] = process.argv.slice(2);
if (!path || !countArg) throw new Error('usage: sqlite-crash-child.testing.ts <store path> <txn count>');
const store = SqliteStore.open(path);
for (let i = 0; i < Number(countArg); i++) {
  const { revision } = await store.txn([], [
    { type: 'put', key: `crash/${String(i).padStart(8, '0')}`, value: `value-${i}` },
    { type: 'put', key: 'crash-last', value: String(i) },
  ]);
  process.stdout.write(`ack ${i} ${revision}\n`);
}
await store.close();

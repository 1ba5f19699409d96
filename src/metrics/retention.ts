/**
 * Metric retention as AWS describes it: 1-second aggregates for 3 hours, 1-minute rows for 15
 * days, then 5-minute rows for 63 days, then 1-hour rows for 455 days (15 months); alarm
 * history for 2 weeks. `rollupAction` (pure) says what to do with one row at a given time;
 * `runRetention` applies it to every row, each move one transaction (the coarser row merged
 * and the finer one deleted together, so no datapoint is counted twice or lost).
 */
import { transact, type Store } from '../state/index.ts';
import { merge } from './aggregate.ts';
import { metricKeys, parseRowKey, type DataRow, type HistoryRecord, type Resolution } from './records.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How long each resolution is kept before it is rolled into the next (or dropped). */
export const RETENTION = { seconds: 3 * HOUR, 60: 15 * DAY, 300: 63 * DAY, 3600: 455 * DAY, history: 14 * DAY } as const;

/** What becomes of a row. */
export type RollupAction = { kind: 'keep' } | { kind: 'dropSeconds' } | { kind: 'rollup'; into: Resolution } | { kind: 'delete' };

/** The action for a row of `res` starting at `start`, at `now`. */
export function rollupAction(res: Resolution, start: number, hasSeconds: boolean, now: number): RollupAction {
  const age = now - start;
  if (res === 60 && age > RETENTION[60]) return { kind: 'rollup', into: 300 };
  if (res === 300 && age > RETENTION[300]) return { kind: 'rollup', into: 3600 };
  if (res === 3600 && age > RETENTION[3600]) return { kind: 'delete' };
  if (res === 60 && hasSeconds && age > RETENTION.seconds) return { kind: 'dropSeconds' };
  return { kind: 'keep' };
}

/** What one pass did. */
export interface RetentionResult {
  rolledUp: number;
  deleted: number;
  trimmed: number;
}

/** Applies retention to every metric row and history entry in the store. */
export async function runRetention(store: Store, now: number): Promise<RetentionResult> {
  const result: RetentionResult = { rolledUp: 0, deleted: 0, trimmed: 0 };
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.range(metricKeys.allData, { startAfter, limit: 500 });
    for (const kv of page.kvs) {
      const row = parseRowKey(kv.key);
      if (!row) {
        if (kv.key.includes('/history/') && (JSON.parse(kv.value) as HistoryRecord).timestamp < now - RETENTION.history) {
          await store.txn([{ key: kv.key, modRevision: kv.modRevision }], [{ type: 'delete', key: kv.key }]);
          result.deleted++;
        }
        continue;
      }
      const value = JSON.parse(kv.value) as DataRow;
      const action = rollupAction(row.res, row.start, value.seconds !== undefined, now);
      if (action.kind === 'keep') continue;
      await transact(store, async (tx) => {
        const current = await tx.get<DataRow>(kv.key);
        if (!current) return;
        if (action.kind === 'delete') tx.delete(kv.key);
        else if (action.kind === 'dropSeconds') tx.put<DataRow>(kv.key, { agg: current.agg });
        else {
          const ms = action.into * 1000;
          const target = `${row.prefix}${action.into}/${String(Math.floor(row.start / ms) * ms).padStart(15, '0')}/${row.unit}`;
          const into = await tx.get<DataRow>(target);
          tx.put<DataRow>(target, { agg: merge(into?.agg, current.agg) });
          tx.delete(kv.key);
        }
      });
      result[action.kind === 'delete' ? 'deleted' : action.kind === 'dropSeconds' ? 'trimmed' : 'rolledUp']++;
    }
    if (!page.more || page.kvs.length === 0) return result;
    startAfter = page.kvs[page.kvs.length - 1]!.key;
  }
}

/**
 * Retention, as the control plane's leader applies it on a timer: for every log group with a
 * retention policy, the segments of its streams whose newest event is older than the policy
 * allows are deleted, and each stream's stored bytes are recounted from what is left.
 */
import { listDocs, transact } from '../state/index.ts';
import type { LogsEnv } from './groups.ts';
import { keys, type LogGroupRecord, type LogStreamRecord, type Scope } from './records.ts';

const DAY = 86_400_000;
const GROUP_KEY = /^logs\/(\d{12})\/([a-z0-9-]+)\/group\//;

/** One pass over every account's and region's groups; the number of segments deleted. */
export async function applyRetention(env: LogsEnv): Promise<number> {
  let dropped = 0;
  const now = env.clock.now();
  for (const doc of await listDocs<LogGroupRecord>(env.store, 'logs/')) {
    const m = GROUP_KEY.exec(doc.key);
    if (!m || doc.value.retentionInDays === undefined) continue;
    const scope: Scope = { account: m[1]!, region: m[2]! };
    const group = doc.value.name;
    const cutoff = now - doc.value.retentionInDays * DAY;
    for (const stream of await listDocs<LogStreamRecord>(env.store, keys.streams(scope, group))) {
      const ref = { ...scope, group, stream: stream.value.name };
      const n = await env.events.dropBefore(ref, cutoff);
      if (n === 0) continue;
      dropped += n;
      const storedBytes = await env.events.storedBytes(ref);
      await transact(env.store, async (tx) => {
        const record = await tx.get<LogStreamRecord>(keys.stream(scope, group, stream.value.name));
        if (record) tx.put(keys.stream(scope, group, record.name), { ...record, storedBytes: Math.min(record.storedBytes, storedBytes) });
      });
    }
  }
  return dropped;
}

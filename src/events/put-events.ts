/**
 * PutEvents: each entry checked on its own (a bad one is a failed entry, the others go on),
 * each accepted event given an id and matched against its bus's ENABLED rules, and one
 * delivery per matching rule's target written to the queue in the same transaction as the
 * events are accepted: once PutEvents answers, every delivery it owes is committed.
 */
import type { Ids } from '../common/index.ts';
import { transact, type Tx } from '../state/index.ts';
import type { EventsEnv } from './buses.ts';
import { EventsErrors } from './errors.ts';
import { matchesPattern } from './pattern-match.ts';
import { matchingRules } from './rule-cache.ts';
import { busNameOf, keys, type DeliveryRecord, type RuleRecord, type Scope } from './records.ts';

/** One PutEvents entry. */
export interface EventEntry {
  source?: string;
  detailType?: string;
  detail?: string;
  resources?: string[];
  time?: number;
  eventBusName?: string;
  traceHeader?: string;
}

/** One entry's result: its event id, or why it failed. */
export type EntryResult = { eventId: string } | { errorCode: string; errorMessage: string };

/** 256 KiB: the most a PutEvents request's entries may add up to. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** An entry's size as AWS counts it: Time (14 bytes), Source, DetailType, Detail and each resource, in UTF-8. */
export function entrySize(e: EventEntry): number {
  const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));
  return (e.time !== undefined ? 14 : 0) + bytes(e.source) + bytes(e.detailType) + bytes(e.detail) + (e.resources ?? []).reduce((n, r) => n + bytes(r), 0);
}

const required = (member: string) => ({ errorCode: 'InvalidArgument', errorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.` });

/** The event envelope targets see, or why the entry cannot be one. */
function envelope(scope: Scope, e: EventEntry, id: string, now: number): Record<string, unknown> | { errorCode: string; errorMessage: string } {
  if (!e.source) return required('Source');
  if (!e.detailType) return required('DetailType');
  if (e.detail === undefined) return required('Detail');
  let detail: unknown;
  try {
    detail = JSON.parse(e.detail);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  return {
    version: '0', id, 'detail-type': e.detailType, source: e.source, account: scope.account,
    time: new Date(e.time ?? now).toISOString().replace(/\.\d{3}Z$/, 'Z'), region: scope.region, resources: e.resources ?? [], detail,
  };
}

/** Deliveries this process queued so far: within one millisecond, ids sort in the order they were queued. */
let queued = 0;

/**
 * A queue id that sorts by enqueue time, then by the order this process queued them, so older
 * deliveries are tried first and one resource's events (written by successive transactions, or
 * several in one) are delivered in the order they happened.
 */
export const deliveryId = (ids: Ids, now: number) => `${now.toString().padStart(15, '0')}-${(queued++ % 1e12).toString().padStart(12, '0')}-${ids.hex32()}`;

/** Enqueues, through `tx`, a delivery to each target of each of the bus's ENABLED rules the event matches (or of `only`, a scheduled rule). */
export async function enqueueMatches(
  tx: Tx, ids: Ids, scope: Scope, busName: string, event: Record<string, unknown>, now: number, only?: RuleRecord,
): Promise<number> {
  const rules = only ? [only] : (await matchingRules(tx, scope, busName)).filter((r) => matchesPattern(r.pattern, event)).map((r) => r.rule);
  let enqueued = 0;
  for (const rule of rules) {
    for (const target of rule.targets) {
      const delivery: DeliveryRecord = { id: deliveryId(ids, now), scope, ruleArn: rule.arn, busName, target, event, enqueuedAt: now, attempts: 0 };
      tx.put(keys.delivery(delivery.id), delivery);
      enqueued++;
    }
  }
  return enqueued;
}

/** PutEvents: a result per entry, in order; the accepted events' deliveries committed before it returns. */
export async function putEvents(env: EventsEnv & { ids: Ids }, scope: Scope, entries: EventEntry[]): Promise<EntryResult[]> {
  if (entries.reduce((n, e) => n + entrySize(e), 0) > MAX_REQUEST_BYTES) throw EventsErrors.validation('Total size of the entries in the request is over the limit.');
  const now = env.clock.now();
  const events = entries.map((e) => envelope(scope, e, env.ids.uuid(), now));
  return transact(env.store, async (tx) => {
    const results: EntryResult[] = [];
    for (const [i, event] of events.entries()) {
      if ('errorCode' in event) {
        results.push(event as { errorCode: string; errorMessage: string });
        continue;
      }
      // A bus that does not exist takes the event and matches nothing, as AWS answers.
      await enqueueMatches(tx, env.ids, scope, busNameOf(entries[i]!.eventBusName), event, now);
      results.push({ eventId: event.id as string });
    }
    return results;
  });
}

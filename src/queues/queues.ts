/**
 * Queues in the store: create (idempotent with the same attributes), look up, list, change
 * attributes and tags, delete (with its messages), and the dead-letter sources of a queue.
 */
import type { Clock, Ids } from '../common/index.ts';
import { getDoc, listDocs, type Store } from '../state/index.ts';
import { defaultAttributes, redrivePolicyOf, validateAttributes } from './attributes.ts';
import { QueueErrors } from './errors.ts';
import { parseQueueArn, queueArn, queueKeys, type QueueRecord, type Scope } from './records.ts';

/** What the queue operations run on. */
export interface QueuesEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Random numbers in [0, 1) (which messages a standard queue hands out first). */
  rng?: () => number;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Checks a queue name (a FIFO queue's ends in `.fifo`, within the 80 characters). */
export function checkQueueName(name: string, fifo: boolean): void {
  const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
  if (name.length > 80 || !NAME.test(base)) {
    throw QueueErrors.invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
  if (fifo !== name.endsWith('.fifo')) {
    throw fifo
      ? QueueErrors.invalidParameterValue('The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.')
      : QueueErrors.invalidAttributeValue('FifoQueue', 'A queue named with .fifo must be created with FifoQueue set to true.');
  }
}

/** Creates a queue, or returns the one of that name when its attributes are the same. */
export async function createQueue(env: QueuesEnv, scope: Scope, name: string, given: Record<string, string>, tags: Record<string, string>): Promise<QueueRecord> {
  const fifo = given.FifoQueue === 'true';
  checkQueueName(name, fifo);
  const attributes = { ...defaultAttributes(fifo), ...validateAttributes(given, fifo, true) };
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  if (attributes.RedrivePolicy) await checkDeadLetterTarget(env, scope, attributes.RedrivePolicy, fifo);
  const key = queueKeys.queue(scope, name);
  const existing = await getDoc<QueueRecord>(env.store, key);
  if (existing) {
    const same = Object.entries(validateAttributes(given, fifo, true)).every(([k, v]) => (existing.value.attributes[k] ?? '') === v);
    if (!same || existing.value.fifo !== fifo) throw QueueErrors.queueNameExists(name);
    return existing.value;
  }
  const now = env.clock.now();
  const record: QueueRecord = {
    name, account: scope.account, region: scope.region, arn: queueArn(scope, name), fifo, attributes, tags, createdAt: now, lastModifiedAt: now,
  };
  const { succeeded } = await env.store.txn([{ key, modRevision: 0 }], [{ type: 'put', key, value: JSON.stringify(record) }]);
  if (!succeeded) return createQueue(env, scope, name, given, tags);
  return record;
}

/** The dead-letter queue a redrive policy names must exist and be of the same kind. */
async function checkDeadLetterTarget(env: QueuesEnv, scope: Scope, redrive: string, fifo: boolean): Promise<void> {
  const target = parseQueueArn(redrivePolicyOf({ RedrivePolicy: redrive })!.deadLetterTargetArn);
  const dlq = target && target.scope.account === scope.account ? await getDoc<QueueRecord>(env.store, queueKeys.queue(target.scope, target.name)) : undefined;
  if (!dlq) throw QueueErrors.invalidParameterValue('Value {"deadLetterTargetArn":...} for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.');
  if (dlq.value.fifo !== fifo) throw QueueErrors.invalidParameterValue('Value for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.');
}

/** A queue, or QueueDoesNotExist. */
export async function getQueue(env: Pick<QueuesEnv, 'store'>, scope: Scope, name: string): Promise<QueueRecord> {
  const doc = await getDoc<QueueRecord>(env.store, queueKeys.queue(scope, name));
  if (!doc) throw QueueErrors.queueDoesNotExist();
  return doc.value;
}

/** The account's queues in a region, by name. */
export async function listQueues(env: Pick<QueuesEnv, 'store'>, scope: Scope): Promise<QueueRecord[]> {
  return (await listDocs<QueueRecord>(env.store, queueKeys.queues(scope))).map((d) => d.value);
}

/** Rewrites a queue record guarded on the revision read. */
async function updateQueue(env: QueuesEnv, scope: Scope, name: string, change: (q: QueueRecord) => Promise<void> | void): Promise<QueueRecord> {
  for (;;) {
    const key = queueKeys.queue(scope, name);
    const doc = await getDoc<QueueRecord>(env.store, key);
    if (!doc) throw QueueErrors.queueDoesNotExist();
    const q = doc.value;
    await change(q);
    const { succeeded } = await env.store.txn([{ key, modRevision: doc.modRevision }], [{ type: 'put', key, value: JSON.stringify(q) }]);
    if (succeeded) return q;
  }
}

/** SetQueueAttributes: an empty string clears an optional attribute (RedrivePolicy, Policy). */
export async function setQueueAttributes(env: QueuesEnv, scope: Scope, name: string, given: Record<string, string>): Promise<QueueRecord> {
  return updateQueue(env, scope, name, async (q) => {
    const valid = validateAttributes(given, q.fifo, false);
    if (valid.RedrivePolicy) await checkDeadLetterTarget(env, scope, valid.RedrivePolicy, q.fifo);
    for (const [k, v] of Object.entries(valid)) {
      if (v === '') delete q.attributes[k];
      else q.attributes[k] = v;
    }
    q.lastModifiedAt = env.clock.now();
  });
}

/** TagQueue and UntagQueue. */
export async function tagQueue(env: QueuesEnv, scope: Scope, name: string, add: Record<string, string>, remove: string[] = []): Promise<void> {
  await updateQueue(env, scope, name, (q) => {
    for (const k of remove) delete q.tags[k];
    Object.assign(q.tags, add);
    if (Object.keys(q.tags).length > 50) throw QueueErrors.invalidParameterValue('Too many tags added for queue. A queue can have at most 50 tags.');
  });
}

/** Marks a purge (one per 60 s), returning the queue. */
export async function markPurge(env: QueuesEnv, scope: Scope, name: string): Promise<QueueRecord> {
  return updateQueue(env, scope, name, (q) => {
    const now = env.clock.now();
    if (q.purgedAt !== undefined && now - q.purgedAt < 60_000) throw QueueErrors.purgeInProgress(q.arn);
    q.purgedAt = now;
  });
}

/** Deletes a queue and everything it holds. */
export async function deleteQueue(env: QueuesEnv, scope: Scope, name: string): Promise<void> {
  await getQueue(env, scope, name);
  await env.store.txn([], [
    { type: 'delete', key: queueKeys.queue(scope, name) },
    { type: 'deletePrefix', prefix: queueKeys.states(scope, name) },
    { type: 'deletePrefix', prefix: queueKeys.bodies(scope, name) },
    { type: 'deletePrefix', prefix: queueKeys.dedups(scope, name) },
  ]);
}

/** The queues whose redrive policy names `dlq` as their dead-letter queue. */
export async function deadLetterSources(env: Pick<QueuesEnv, 'store'>, dlq: QueueRecord): Promise<QueueRecord[]> {
  const all = await listQueues(env, { account: dlq.account, region: dlq.region });
  return all.filter((q) => redrivePolicyOf(q.attributes)?.deadLetterTargetArn === dlq.arn);
}

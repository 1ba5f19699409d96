/**
 * Delivering one queued event to one target, at least once: the target is called first and
 * the queue entry deleted after, in a transaction guarded on it (a crash in between delivers
 * again). Target kinds: another event bus of the account (its rules' deliveries are enqueued in
 * the same transaction), a CloudWatch Logs log group and an ECS cluster (RunTask) through
 * ports the control plane wires. A kind Wharf cannot reach, a port that is not wired, or a
 * target that keeps failing past its RetryPolicy is kept as a failed delivery with its reason,
 * and as a dead-letter record when the target has a DeadLetterConfig.
 */
import type { Ids } from '../common/index.ts';
import { getDoc, transact, type Store } from '../state/index.ts';
import type { EventsEnv } from './buses.ts';
import { enqueueMatches } from './put-events.ts';
import { keys, type DeliveryRecord, type EcsTargetParameters, type FailedDeliveryRecord, type Scope } from './records.ts';
import { targetInput } from './transform.ts';

/** RunTask as an ECS target asks for it: the rule's EcsParameters on the target's cluster. */
export interface EcsRunTaskRequest {
  scope: Scope;
  /** The target's Arn: the cluster. */
  cluster: string;
  parameters: EcsTargetParameters;
  /** The role the task is run as (the target's RoleArn), which must trust `principal`. */
  roleArn: string;
  /** The service that assumes the role: `events.amazonaws.com` for a rule, `scheduler.amazonaws.com` for a schedule. */
  principal: string;
  /** What the tasks' startedBy says. */
  startedBy: string;
  /** The transformed input: its containerOverrides, taskRoleArn, ... are the task's overrides. */
  input: string;
}

/** What events are delivered through beyond the store; a kind whose port is absent fails with a reason. */
export interface EventTargetPorts {
  deliverToLogGroup?(arn: string, message: string): Promise<void>;
  runTask?(request: EcsRunTaskRequest): Promise<void>;
  /** Sends the event to an SQS queue (a FIFO queue's group from SqsParameters; deduplicated by the event's id). */
  sendToQueue?(arn: string, message: string, messageGroupId: string | undefined, deduplicationId: string): Promise<void>;
}

/** EventBridge's default RetryPolicy: 185 attempts within 24 hours. */
export const DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };

/** A failure worth retrying (the target was reached but answered with an error). */
export class TargetUnavailableError extends Error {}

/** What one attempt did. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'gone';

const ARN = /^arn:aws[a-z-]*:([a-z0-9-]+):([^:]*):(\d{12}):(.+)$/;

/** Backoff between attempts: 1 s doubling, at most 5 minutes. */
const backoff = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.min(attempts, 20));

/** Delivers the queued entry `id` once; the store says what became of it. */
export async function deliver(env: EventsEnv & { ids: Ids }, ports: EventTargetPorts, id: string): Promise<DeliveryOutcome> {
  const doc = await getDoc<DeliveryRecord>(env.store, keys.delivery(id));
  if (!doc) return 'gone';
  const d = doc.value;
  const now = env.clock.now();
  const m = ARN.exec(d.target.arn);
  const [service, region, account, resource] = m ? [m[1]!, m[2]!, m[3]!, m[4]!] : ['', '', '', ''];
  const input = targetInput(d.target, d.event, d.ruleArn, d.enqueuedAt);

  if (service === 'events' && resource.startsWith('event-bus/')) {
    if (account !== d.scope.account) return fail(env.store, d, doc.modRevision, now, `Wharf delivers to event buses of the account ${d.scope.account} only.`);
    const scope = { account, region };
    return transact(env.store, async (tx) => {
      if (!(await tx.get(keys.delivery(id)))) return 'gone' as const;
      tx.delete(keys.delivery(id));
      await enqueueMatches(tx, env.ids, scope, resource.slice('event-bus/'.length), d.event, now);
      return 'delivered' as const;
    });
  }
  let call: (() => Promise<void>) | undefined;
  let missing = `Wharf does not deliver to ${service || 'this'} targets.`;
  if (service === 'logs' && resource.startsWith('log-group:')) {
    const port = ports.deliverToLogGroup;
    call = port && (() => port(d.target.arn, input));
    missing = 'CloudWatch Logs targets are not connected to a log group service.';
  } else if (service === 'sqs') {
    const port = ports.sendToQueue;
    if (resource.endsWith('.fifo') && !d.target.sqsParameters?.messageGroupId) return fail(env.store, d, doc.modRevision, now, 'A FIFO queue target needs SqsParameters with a MessageGroupId.');
    call = port && (() => port(d.target.arn, input, d.target.sqsParameters?.messageGroupId, d.id));
    missing = 'SQS targets are not connected to a queue service.';
  } else if (service === 'ecs' && resource.startsWith('cluster/')) {
    const port = ports.runTask;
    const { ecsParameters, roleArn } = d.target;
    if (!ecsParameters || !roleArn) return fail(env.store, d, doc.modRevision, now, 'An ECS target needs EcsParameters and a RoleArn.');
    call = port && (() => port({
      scope: d.scope, cluster: d.target.arn, parameters: ecsParameters, roleArn, input,
      principal: d.principal ?? 'events.amazonaws.com', startedBy: d.startedBy ?? 'events-rule',
    }));
    missing = 'ECS targets are not connected to a task launcher.';
  }
  if (!call) return fail(env.store, d, doc.modRevision, now, missing);
  try {
    await call();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const retry = { ...DEFAULT_RETRY, ...d.target.retryPolicy };
    const attempts = d.attempts + 1;
    if (!(error instanceof TargetUnavailableError) || attempts > retry.maximumRetryAttempts || now - d.enqueuedAt >= retry.maximumEventAgeInSeconds * 1000) {
      return fail(env.store, d, doc.modRevision, now, reason);
    }
    const txn = await env.store.txn([{ key: keys.delivery(id), modRevision: doc.modRevision }],
      [{ type: 'put', key: keys.delivery(id), value: JSON.stringify({ ...d, attempts, notBefore: now + backoff(attempts) }) }]);
    return txn.succeeded ? 'retry' : 'gone';
  }
  const txn = await env.store.txn([{ key: keys.delivery(id), modRevision: doc.modRevision }], [{ type: 'delete', key: keys.delivery(id) }]);
  return txn.succeeded ? 'delivered' : 'gone';
}

/** Records the failure (and the dead letter) and takes the entry off the queue, in one transaction. */
async function fail(store: Store, d: DeliveryRecord, modRevision: number, now: number, reason: string): Promise<DeliveryOutcome> {
  const record: FailedDeliveryRecord = {
    id: d.id, ruleArn: d.ruleArn, targetId: d.target.id, targetArn: d.target.arn, reason, event: d.event, failedAt: now,
    ...(d.target.deadLetterArn ? { deadLetterArn: d.target.deadLetterArn } : {}),
  };
  const ops = [
    { type: 'delete' as const, key: keys.delivery(d.id) },
    { type: 'put' as const, key: keys.failure(d.scope, d.id), value: JSON.stringify(record) },
    ...(d.target.deadLetterArn ? [{ type: 'put' as const, key: keys.deadLetter(d.scope, d.id), value: JSON.stringify(record) }] : []),
  ];
  const txn = await store.txn([{ key: keys.delivery(d.id), modRevision }], ops);
  return txn.succeeded ? 'failed' : 'gone';
}

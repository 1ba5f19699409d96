/**
 * Message move tasks (StartMessageMoveTask): a redrive of a dead-letter queue's messages to
 * their source queues, or to one destination. Wharf moves the messages when the task starts,
 * so a task is COMPLETED (or FAILED) by the time StartMessageMoveTask answers.
 */
import { listDocs } from '../state/index.ts';
import { QueueErrors } from './errors.ts';
import { moveAllMessages } from './messages.ts';
import { deadLetterSources, getQueue, type QueuesEnv } from './queues.ts';
import { parseQueueArn, queueKeys, type MoveTaskRecord, type QueueRecord } from './records.ts';

async function queueOfArn(env: QueuesEnv, arn: string, account: string): Promise<QueueRecord> {
  const p = parseQueueArn(arn);
  if (!p || p.scope.account !== account) throw QueueErrors.resourceNotFound('The resource that you specified for the SourceArn parameter doesn\'t exist.');
  return getQueue(env, p.scope, p.name).catch(() => {
    throw QueueErrors.resourceNotFound('The resource that you specified for the SourceArn parameter doesn\'t exist.');
  });
}

/** Starts (and runs) a redrive from a dead-letter queue. */
export async function startMoveTask(env: QueuesEnv, account: string, sourceArn: string, destinationArn?: string, maxPerSecond?: number): Promise<MoveTaskRecord> {
  const source = await queueOfArn(env, sourceArn, account);
  const scope = { account: source.account, region: source.region };
  const sources = await deadLetterSources(env, source);
  if (!sources.length) throw QueueErrors.invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
  let destination: QueueRecord;
  if (destinationArn) destination = await queueOfArn(env, destinationArn, account);
  else if (sources.length === 1) destination = sources[0]!;
  else throw QueueErrors.invalidParameterValue('The dead-letter queue has several source queues: give DestinationArn.');
  const handle = Buffer.from(JSON.stringify({ id: env.ids.uuid(), src: sourceArn })).toString('base64url');
  const task: MoveTaskRecord = {
    taskHandle: handle, sourceArn, ...(destinationArn && { destinationArn }), ...(maxPerSecond !== undefined && { maxPerSecond }),
    status: 'RUNNING', moved: 0, toMove: 0, startedAt: env.clock.now(),
  };
  try {
    task.moved = await moveAllMessages(env, source, destination);
    task.toMove = task.moved;
    task.status = 'COMPLETED';
  } catch (error) {
    task.status = 'FAILED';
    task.failureReason = error instanceof Error ? error.message : String(error);
  }
  await env.store.txn([], [{ type: 'put', key: queueKeys.moveTask(scope, handle), value: JSON.stringify(task) }]);
  return task;
}

/** The move tasks of a dead-letter queue, newest first. */
export async function listMoveTasks(env: QueuesEnv, account: string, sourceArn: string, max = 1): Promise<MoveTaskRecord[]> {
  const source = await queueOfArn(env, sourceArn, account);
  const tasks = (await listDocs<MoveTaskRecord>(env.store, queueKeys.moveTasks({ account, region: source.region }))).map((d) => d.value);
  return tasks.filter((t) => t.sourceArn === sourceArn).sort((a, b) => b.startedAt - a.startedAt).slice(0, max);
}

/** Cancels a running move task: Wharf's finish when they start, so none is running. */
export async function cancelMoveTask(env: QueuesEnv, account: string, handle: string): Promise<MoveTaskRecord> {
  let region: string | undefined;
  try {
    region = parseQueueArn((JSON.parse(Buffer.from(handle, 'base64url').toString('utf8')) as { src: string }).src)?.scope.region;
  } catch {
    region = undefined;
  }
  const doc = region ? await env.store.get(queueKeys.moveTask({ account, region }, handle)) : undefined;
  if (!doc) throw QueueErrors.resourceNotFound('Task does not exist.');
  throw QueueErrors.unsupported('Only a RUNNING task can be cancelled.');
}

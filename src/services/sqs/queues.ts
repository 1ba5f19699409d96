/**
 * SQS's queue operations: create, find, list, attributes, tags, permissions (as the Policy
 * attribute), purge, delete, dead-letter sources and message move tasks.
 */
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { paginate, type RequestContext } from '../../aws/index.ts';
import * as queues from '../../queues/index.ts';
import { arnOfUrl, envOf, queueOfUrl, queueUrlOf, scopeOf, type SqsDeps, type SqsOperationTable } from './common.ts';

const onQueueUrl = (i: { QueueUrl?: string }, ctx: RequestContext) => arnOfUrl(i.QueueUrl, ctx);
const onQueueName = (i: { QueueName?: string }, ctx: RequestContext) => [i.QueueName ? queues.queueArn(scopeOf(ctx), i.QueueName) : '*'];

/** A policy statement as AddPermission adds it. */
interface Statement {
  Sid: string;
  Effect: string;
  Principal: { AWS: string[] };
  Action: string[];
  Resource: string;
}

/** The attributes GetQueueAttributes answers for the names asked. */
async function attributesOf(deps: SqsDeps, q: queues.QueueRecord, names: readonly string[]): Promise<Record<string, string>> {
  const all = names.includes('All');
  const known = queues.knownAttributeNames(q.fifo);
  for (const n of names) if (n !== 'All' && !known.includes(n)) throw queues.QueueErrors.invalidAttributeName(n);
  const wanted = all ? known : names;
  const out: Record<string, string> = {};
  const needCounts = wanted.some((n) => n.startsWith('ApproximateNumberOfMessages'));
  const counts = needCounts ? await queues.queueCounts(envOf(deps), { account: q.account, region: q.region }, q.name) : undefined;
  for (const n of wanted) {
    let v: string | undefined;
    switch (n) {
      case 'ApproximateNumberOfMessages': v = String(counts!.visible); break;
      case 'ApproximateNumberOfMessagesNotVisible': v = String(counts!.notVisible); break;
      case 'ApproximateNumberOfMessagesDelayed': v = String(counts!.delayed); break;
      case 'CreatedTimestamp': v = String(Math.floor(q.createdAt / 1000)); break;
      case 'LastModifiedTimestamp': v = String(Math.floor(q.lastModifiedAt / 1000)); break;
      case 'QueueArn': v = q.arn; break;
      case 'FifoQueue': v = 'true'; break;
      default: v = q.attributes[n];
    }
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** The queue operations. */
export function queueOperations(deps: SqsDeps): SqsOperationTable {
  const env = envOf(deps);
  const updatePolicy = async (ctx: RequestContext, url: string | undefined, change: (statements: Statement[], q: queues.QueueRecord) => Statement[]) => {
    const { scope, name } = queueOfUrl(url, ctx);
    const q = await queues.getQueue(env, scope, name);
    const policy = q.attributes.Policy ? (JSON.parse(q.attributes.Policy) as { Version?: string; Id?: string; Statement?: Statement[] }) : {};
    const statements = change(policy.Statement ?? [], q);
    const value = statements.length ? JSON.stringify({ Version: policy.Version ?? '2012-10-17', Id: policy.Id ?? `${q.arn}/SQSDefaultPolicy`, Statement: statements }) : '';
    await queues.setQueueAttributes(env, scope, name, { Policy: value });
  };
  return {
    CreateQueue: {
      authorization: { resources: onQueueName },
      handler: async (i, ctx) => {
        const q = await queues.createQueue(env, scopeOf(ctx), i.QueueName!, { ...(i.Attributes as Record<string, string> | undefined) }, { ...i.tags });
        return { QueueUrl: queueUrlOf(ctx, q) };
      },
    },
    GetQueueUrl: {
      authorization: { resources: onQueueName },
      handler: async (i, ctx) => {
        const account = i.QueueOwnerAWSAccountId ?? ctx.account;
        if (account !== ctx.account) throw queues.QueueErrors.queueDoesNotExist();
        const q = await queues.getQueue(env, scopeOf(ctx), i.QueueName!);
        return { QueueUrl: queueUrlOf(ctx, q) };
      },
    },
    ListQueues: {
      handler: async (i, ctx) => {
        const all = (await queues.listQueues(env, scopeOf(ctx))).filter((q) => !i.QueueNamePrefix || q.name.startsWith(i.QueueNamePrefix));
        if (i.MaxResults === undefined && i.NextToken === undefined) return all.length ? { QueueUrls: all.slice(0, 1000).map((q) => queueUrlOf(ctx, q)) } : {};
        const p = paginate(all, (q) => q.name, i.NextToken, i.MaxResults, () => queues.QueueErrors.invalidParameterValue('Invalid NextToken value.'), 1000);
        return { ...(p.items.length && { QueueUrls: p.items.map((q) => queueUrlOf(ctx, q)) }), ...(p.nextToken && { NextToken: p.nextToken }) };
      },
    },
    GetQueueAttributes: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        const q = await queues.getQueue(env, scope, name);
        const attributes = await attributesOf(deps, q, i.AttributeNames ?? []);
        return Object.keys(attributes).length ? { Attributes: attributes as Record<QueueAttributeName, string> } : {};
      },
    },
    SetQueueAttributes: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.setQueueAttributes(env, scope, name, { ...(i.Attributes as Record<string, string>) });
        return {};
      },
    },
    DeleteQueue: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.deleteQueue(env, scope, name);
        return {};
      },
    },
    PurgeQueue: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.markPurge(env, scope, name);
        await queues.purgeMessages(env, scope, name);
        return {};
      },
    },
    TagQueue: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.tagQueue(env, scope, name, { ...i.Tags });
        return {};
      },
    },
    UntagQueue: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.tagQueue(env, scope, name, {}, i.TagKeys ?? []);
        return {};
      },
    },
    ListQueueTags: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        const q = await queues.getQueue(env, scope, name);
        return Object.keys(q.tags).length ? { Tags: q.tags } : {};
      },
    },
    AddPermission: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        await updatePolicy(ctx, i.QueueUrl, (statements, q) => {
          if (statements.some((s) => s.Sid === i.Label)) throw queues.QueueErrors.invalidParameterValue(`Value ${i.Label} for parameter Label is invalid. Reason: Already exists.`);
          return [...statements, {
            Sid: i.Label!, Effect: 'Allow', Principal: { AWS: (i.AWSAccountIds ?? []).map((a) => `arn:aws:iam::${a}:root`) },
            Action: (i.Actions ?? []).map((a) => (a === '*' ? 'SQS:*' : `SQS:${a}`)), Resource: q.arn,
          }];
        });
        return {};
      },
    },
    RemovePermission: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        await updatePolicy(ctx, i.QueueUrl, (statements) => {
          if (!statements.some((s) => s.Sid === i.Label)) throw queues.QueueErrors.invalidParameterValue(`Value ${i.Label} for parameter Label is invalid. Reason: can't find label.`);
          return statements.filter((s) => s.Sid !== i.Label);
        });
        return {};
      },
    },
    ListDeadLetterSourceQueues: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        const sources = await queues.deadLetterSources(env, await queues.getQueue(env, scope, name));
        const p = paginate(sources, (q) => q.name, i.NextToken, i.MaxResults, () => queues.QueueErrors.invalidParameterValue('Invalid NextToken value.'), 1000);
        return { queueUrls: p.items.map((q) => queueUrlOf(ctx, q)), ...(p.nextToken && { NextToken: p.nextToken }) };
      },
    },
    StartMessageMoveTask: {
      authorization: { resources: (i) => [i.SourceArn ?? '*'] },
      handler: async (i, ctx) => {
        const task = await queues.startMoveTask(env, ctx.account, i.SourceArn!, i.DestinationArn, i.MaxNumberOfMessagesPerSecond);
        return { TaskHandle: task.taskHandle };
      },
    },
    ListMessageMoveTasks: {
      authorization: { resources: (i) => [i.SourceArn ?? '*'] },
      handler: async (i, ctx) => {
        const tasks = await queues.listMoveTasks(env, ctx.account, i.SourceArn!, i.MaxResults ?? 1);
        return {
          Results: tasks.map((t) => ({
            Status: t.status, SourceArn: t.sourceArn, ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: t.toMove,
            StartedTimestamp: t.startedAt, ...(t.destinationArn && { DestinationArn: t.destinationArn }),
            ...(t.maxPerSecond !== undefined && { MaxNumberOfMessagesPerSecond: t.maxPerSecond }), ...(t.failureReason && { FailureReason: t.failureReason }),
          })),
        };
      },
    },
    CancelMessageMoveTask: {
      handler: async (i, ctx) => {
        await queues.cancelMoveTask(env, ctx.account, i.TaskHandle!);
        return {};
      },
    },
  };
}

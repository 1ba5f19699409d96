/**
 * SQS's message operations: send (single and batch, each entry answered on its own), receive
 * (long polling woken by sends), delete and visibility changes (single and batch).
 */
import type { SendMessageRequest } from '@aws-sdk/client-sqs';
import type { RequestContext } from '../../aws/index.ts';
import * as queues from '../../queues/index.ts';
import {
  arnOfUrl, attributesIn, batchFailure, checkBatch, envOf, messageOut, queueOfUrl, type SqsDeps, type SqsOperationTable,
} from './common.ts';

const onQueueUrl = (i: { QueueUrl?: string }, ctx: RequestContext) => arnOfUrl(i.QueueUrl, ctx);

/** The most a batch's bodies and attributes may add up to. */
const BATCH_MAX_BYTES = 262_144;

type Entry = Pick<SendMessageRequest, 'MessageBody' | 'DelaySeconds' | 'MessageAttributes' | 'MessageSystemAttributes' | 'MessageGroupId' | 'MessageDeduplicationId'>;

const outgoing = (e: Entry): queues.OutgoingMessage => ({
  body: e.MessageBody ?? '',
  attributes: attributesIn(e.MessageAttributes),
  systemAttributes: attributesIn(e.MessageSystemAttributes as never, 'MessageSystemAttribute'),
  ...(e.DelaySeconds !== undefined && { delaySeconds: e.DelaySeconds }),
  ...(e.MessageGroupId !== undefined && { groupId: e.MessageGroupId }),
  ...(e.MessageDeduplicationId !== undefined && { deduplicationId: e.MessageDeduplicationId }),
});

/** The message operations. */
export function messageOperations(deps: SqsDeps): SqsOperationTable {
  const env = envOf(deps);
  const signals = () => deps.signals ?? (deps.signals = new queues.QueueSignals());
  const send = async (ctx: RequestContext, url: string | undefined, entries: Entry[]) => {
    const { scope, name } = queueOfUrl(url, ctx);
    const sent = await queues.sendMessages(env, scope, name, entries.map(outgoing), ctx.principal.userId);
    if (deps.activity) deps.activity.sent(await queues.getQueue(env, scope, name), sent.length);
    signals().notify(scope, name);
    return sent;
  };
  return {
    SendMessage: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const [m] = await send(ctx, i.QueueUrl, [i]);
        return {
          MessageId: m!.id, MD5OfMessageBody: m!.md5OfBody,
          ...(m!.md5OfAttributes && { MD5OfMessageAttributes: m!.md5OfAttributes }),
          ...(m!.md5OfSystemAttributes && { MD5OfMessageSystemAttributes: m!.md5OfSystemAttributes }),
          ...(m!.sequenceNumber && { SequenceNumber: m!.sequenceNumber }),
        };
      },
    },
    SendMessageBatch: {
      // SQS has no batch actions in IAM: the batch is authorized as its single action.
      authorization: { action: 'sqs:SendMessage', resources: onQueueUrl },
      handler: async (i, ctx) => {
        checkBatch(i.Entries);
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.getQueue(env, scope, name);
        const size = (i.Entries ?? []).reduce((n, e) => n + queues.messageSize(e.MessageBody ?? '', attributesIn(e.MessageAttributes)), 0);
        if (size > BATCH_MAX_BYTES) throw queues.QueueErrors.batchTooLong(size, BATCH_MAX_BYTES);
        const Successful = [];
        const Failed = [];
        // In order, one entry at a time: a FIFO queue keeps the batch's order, and each entry fails alone.
        for (const e of i.Entries!) {
          try {
            const [m] = await send(ctx, i.QueueUrl, [e]);
            Successful.push({
              Id: e.Id!, MessageId: m!.id, MD5OfMessageBody: m!.md5OfBody,
              ...(m!.md5OfAttributes && { MD5OfMessageAttributes: m!.md5OfAttributes }),
              ...(m!.md5OfSystemAttributes && { MD5OfMessageSystemAttributes: m!.md5OfSystemAttributes }),
              ...(m!.sequenceNumber && { SequenceNumber: m!.sequenceNumber }),
            });
          } catch (error) {
            if (error instanceof Error && (error as { code?: string }).code === 'QueueDoesNotExist') throw error;
            Failed.push(batchFailure(e.Id!, error));
          }
        }
        return { Successful, Failed };
      },
    },
    ReceiveMessage: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        const q = await queues.getQueue(env, scope, name);
        const max = i.MaxNumberOfMessages ?? 1;
        if (max < 1 || max > 10) throw queues.QueueErrors.invalidParameterValue(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
        const wait = i.WaitTimeSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
        if (wait < 0 || wait > 20) throw queues.QueueErrors.invalidParameterValue(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
        if (i.VisibilityTimeout !== undefined && (i.VisibilityTimeout < 0 || i.VisibilityTimeout > 43200)) {
          throw queues.QueueErrors.invalidParameterValue(`Value ${i.VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
        }
        const got = await queues.receiveMessages(env, signals(), scope, name, {
          max, waitSeconds: wait, ...(i.VisibilityTimeout !== undefined && { visibilityTimeout: i.VisibilityTimeout }), ...(ctx.signal && { signal: ctx.signal }),
        });
        if (got.length && deps.activity) deps.activity.received(q, got.length);
        const systemNames = [...(i.MessageSystemAttributeNames ?? []), ...(i.AttributeNames ?? [])] as string[];
        return got.length ? { Messages: got.map((m) => messageOut(m, systemNames, i.MessageAttributeNames ?? [])) } : {};
      },
    },
    DeleteMessage: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.deleteMessage(env, scope, name, i.ReceiptHandle!);
        if (deps.activity) deps.activity.deleted(await queues.getQueue(env, scope, name), 1);
        return {};
      },
    },
    DeleteMessageBatch: {
      // SQS has no batch actions in IAM: the batch is authorized as its single action.
      authorization: { action: 'sqs:DeleteMessage', resources: onQueueUrl },
      handler: async (i, ctx) => {
        checkBatch(i.Entries);
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        const q = await queues.getQueue(env, scope, name);
        const Successful = [];
        const Failed = [];
        for (const e of i.Entries!) {
          try {
            await queues.deleteMessage(env, scope, name, e.ReceiptHandle ?? '');
            Successful.push({ Id: e.Id! });
          } catch (error) {
            Failed.push(batchFailure(e.Id!, error));
          }
        }
        if (deps.activity && Successful.length) deps.activity.deleted(q, Successful.length);
        return { Successful, Failed };
      },
    },
    ChangeMessageVisibility: {
      authorization: { resources: onQueueUrl },
      handler: async (i, ctx) => {
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.changeVisibility(env, scope, name, i.ReceiptHandle!, i.VisibilityTimeout!);
        // A message visible again may be what a long poll waits for.
        if (i.VisibilityTimeout === 0) signals().notify(scope, name);
        return {};
      },
    },
    ChangeMessageVisibilityBatch: {
      // SQS has no batch actions in IAM: the batch is authorized as its single action.
      authorization: { action: 'sqs:ChangeMessageVisibility', resources: onQueueUrl },
      handler: async (i, ctx) => {
        checkBatch(i.Entries);
        const { scope, name } = queueOfUrl(i.QueueUrl, ctx);
        await queues.getQueue(env, scope, name);
        const Successful = [];
        const Failed = [];
        for (const e of i.Entries!) {
          try {
            await queues.changeVisibility(env, scope, name, e.ReceiptHandle ?? '', e.VisibilityTimeout ?? 0);
            Successful.push({ Id: e.Id! });
          } catch (error) {
            Failed.push(batchFailure(e.Id!, error));
          }
        }
        signals().notify(scope, name);
        return { Successful, Failed };
      },
    },
  };
}

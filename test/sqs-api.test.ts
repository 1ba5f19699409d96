/**
 * Amazon SQS through @aws-sdk/client-sqs (which checks every MD5 Wharf returns) against a
 * control plane in this process: queues, the message lifecycle, visibility timeouts, dead-letter
 * queues and redrives, FIFO order and deduplication, long polling, batches, IAM; and the AWS CLI.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, DeleteQueueCommand,
  GetQueueAttributesCommand, GetQueueUrlCommand, ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand, ListQueuesCommand,
  ListQueueTagsCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand,
  SQSClient, StartMessageMoveTaskCommand, TagQueueCommand, UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { signRequest } from '../src/common/index.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey } from './support/in-process.ts';
import { credentials, region } from './support/wharf.ts';

const plane = inProcessControlPlane({ sqsMetricsIntervalMs: 500 });

let url = '';
const sqs = () => new SQSClient({ endpoint: url, region, credentials, maxAttempts: 1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function queue(name: string, Attributes?: Record<string, string>): Promise<string> {
  return (await sqs().send(new CreateQueueCommand({ QueueName: name, ...(Attributes && { Attributes }) }))).QueueUrl!;
}

describe('SQS API', () => {
  test('queues: create (idempotent, QueueNameExists on other attributes), URL, list with prefix and pages, attributes, tags, delete', async () => {
    url = (await plane()).url;
    const c = sqs();
    const q = await queue('orders', { VisibilityTimeout: '45' });
    assert.equal(q, `${url}/${ACCOUNT}/orders`);
    assert.equal(await queue('orders', { VisibilityTimeout: '45' }), q);
    await refused(c.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '50' } })), 'QueueNameExists');
    await refused(c.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { VisibilityTimeout: '50000' } })), 'InvalidAttributeValue');
    await refused(c.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { Nope: '1' } as never })), 'InvalidAttributeName');
    assert.equal((await c.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl, q);
    await refused(c.send(new GetQueueUrlCommand({ QueueName: 'missing' })), 'QueueDoesNotExist', 'The specified queue does not exist.');
    await queue('orders-2');
    await queue('other');
    assert.deepEqual((await c.send(new ListQueuesCommand({ QueueNamePrefix: 'orders' }))).QueueUrls, [q, `${url}/${ACCOUNT}/orders-2`]);
    const first = await c.send(new ListQueuesCommand({ MaxResults: 2 }));
    assert.equal(first.QueueUrls?.length, 2);
    const second = await c.send(new ListQueuesCommand({ MaxResults: 2, NextToken: first.NextToken }));
    assert.ok(second.QueueUrls!.length >= 1);
    const attrs = (await c.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['All'] }))).Attributes!;
    assert.equal(attrs.VisibilityTimeout, '45');
    assert.equal(attrs.QueueArn, `arn:aws:sqs:${region}:${ACCOUNT}:orders`);
    assert.equal(attrs.ApproximateNumberOfMessages, '0');
    assert.equal(attrs.MessageRetentionPeriod, '345600');
    await c.send(new SetQueueAttributesCommand({ QueueUrl: q, Attributes: { DelaySeconds: '2' } }));
    assert.equal((await c.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['DelaySeconds'] }))).Attributes?.DelaySeconds, '2');
    await c.send(new TagQueueCommand({ QueueUrl: q, Tags: { team: 'a', env: 'dev' } }));
    await c.send(new UntagQueueCommand({ QueueUrl: q, TagKeys: ['env'] }));
    assert.deepEqual((await c.send(new ListQueueTagsCommand({ QueueUrl: q }))).Tags, { team: 'a' });
    await c.send(new DeleteQueueCommand({ QueueUrl: `${url}/${ACCOUNT}/other` }));
    await refused(c.send(new GetQueueAttributesCommand({ QueueUrl: `${url}/${ACCOUNT}/other`, AttributeNames: ['All'] })), 'QueueDoesNotExist');
  });

  test('messages: send with attributes (the SDK checks the MD5s), receive with system attributes, delete; a received message returns after its visibility timeout', async () => {
    const c = sqs();
    const q = await queue('lifecycle', { VisibilityTimeout: '1' });
    const sent = await c.send(new SendMessageCommand({
      QueueUrl: q, MessageBody: 'hello ✓',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' }, n: { DataType: 'Number', StringValue: '42' }, raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) } },
    }));
    assert.ok(sent.MessageId && sent.MD5OfMessageAttributes);
    const got = await c.send(new ReceiveMessageCommand({ QueueUrl: q, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    const m = got.Messages![0]!;
    assert.equal(m.Body, 'hello ✓');
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.MessageAttributes?.n?.StringValue, '42');
    assert.deepEqual([...m.MessageAttributes!.raw!.BinaryValue!], [0, 1, 2, 255]);
    assert.equal(m.Attributes?.ApproximateReceiveCount, '1');
    assert.ok(Number(m.Attributes?.SentTimestamp) > 0 && Number(m.Attributes?.ApproximateFirstReceiveTimestamp) >= Number(m.Attributes?.SentTimestamp));
    const counts = (await c.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
    assert.deepEqual([counts.ApproximateNumberOfMessages, counts.ApproximateNumberOfMessagesNotVisible], ['0', '1']);
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl: q }))).Messages, undefined);
    await sleep(1100);
    const again = (await c.send(new ReceiveMessageCommand({ QueueUrl: q, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages![0]!;
    assert.equal(again.MessageId, m.MessageId);
    assert.equal(again.Attributes?.ApproximateReceiveCount, '2');
    assert.notEqual(again.ReceiptHandle, m.ReceiptHandle);
    // The older receipt handle no longer deletes it; the latest does.
    await c.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: m.ReceiptHandle }));
    await c.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 60 }));
    await c.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: again.ReceiptHandle }));
    await refused(c.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 5 })), 'MessageNotInflight');
    await refused(c.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: 'garbage' })), 'ReceiptHandleIsInvalid', undefined, 404);
    const empty = (await c.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['All'] }))).Attributes!;
    assert.deepEqual([empty.ApproximateNumberOfMessages, empty.ApproximateNumberOfMessagesNotVisible], ['0', '0']);
    // Delays: a delayed message is counted as delayed, then visible.
    await c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'later', DelaySeconds: 1 }));
    assert.equal((await c.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }))).Attributes?.ApproximateNumberOfMessagesDelayed, '1');
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl: q }))).Messages, undefined);
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl: q, WaitTimeSeconds: 3 }))).Messages?.[0]?.Body, 'later');
    await c.send(new PurgeQueueCommand({ QueueUrl: q }));
    await refused(c.send(new PurgeQueueCommand({ QueueUrl: q })), 'PurgeQueueInProgress', undefined, 403);
  });

  test('long polling: a waiting receive is woken by a send', async () => {
    const c = sqs();
    const q = await queue('long-poll');
    const started = Date.now();
    const waiting = c.send(new ReceiveMessageCommand({ QueueUrl: q, WaitTimeSeconds: 20 }));
    await sleep(300);
    await c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'wake' }));
    const got = await waiting;
    assert.equal(got.Messages?.[0]?.Body, 'wake');
    assert.ok(Date.now() - started < 5000, 'woken by the send, not by the wait ending');
  });

  test('dead-letter queue: a message received more than maxReceiveCount times moves there, and a redrive moves it back', async () => {
    const c = sqs();
    const dlq = await queue('orders-dlq');
    const dlqArn = `arn:aws:sqs:${region}:${ACCOUNT}:orders-dlq`;
    const q = await queue('orders-main', { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    await refused(c.send(new CreateQueueCommand({ QueueName: 'x', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${region}:${ACCOUNT}:nope`, maxReceiveCount: 2 }) } })), 'InvalidParameterValue');
    await c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl: q }))).Messages?.[0]?.Body, 'poison');
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl: q }))).Messages, undefined);
    const dead = (await c.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'], VisibilityTimeout: 0 }))).Messages![0]!;
    assert.equal(dead.Body, 'poison');
    assert.equal(dead.Attributes?.DeadLetterQueueSourceArn, `arn:aws:sqs:${region}:${ACCOUNT}:orders-main`);
    assert.deepEqual((await c.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [q]);
    await c.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    const tasks = (await c.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results!;
    assert.equal(tasks[0]?.Status, 'COMPLETED');
    assert.equal(tasks[0]?.ApproximateNumberOfMessagesMoved, 1);
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl: q }))).Messages?.[0]?.Body, 'poison');
  });

  test('FIFO: order per group, a group with a message in flight gives nothing more, deduplication', async () => {
    const c = sqs();
    await refused(c.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { FifoQueue: 'true' } })), 'InvalidParameterValue');
    const q = await queue('jobs.fifo', { FifoQueue: 'true', VisibilityTimeout: '30' });
    for (const [g, n] of [['a', 1], ['a', 2], ['b', 1], ['a', 3]] as const) {
      const r = await c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: `${g}${n}`, MessageGroupId: g, MessageDeduplicationId: `${g}${n}` }));
      assert.match(r.SequenceNumber!, /^\d{20,}$/);
    }
    const dup = await c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'a1', MessageGroupId: 'a', MessageDeduplicationId: 'a1' }));
    await refused(c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageGroupId: 'a' })), 'InvalidParameterValue');
    await refused(c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x' })), 'MissingParameter');
    const first = (await c.send(new ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 1 }))).Messages!;
    assert.deepEqual(first.map((m) => m.Body), ['a1']);
    assert.equal(first[0]!.MessageId, dup.MessageId);
    // Group a is blocked while a1 is in flight: only b1 comes.
    const next = (await c.send(new ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 10 }))).Messages!;
    assert.deepEqual(next.map((m) => m.Body), ['b1']);
    await c.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: first[0]!.ReceiptHandle }));
    const rest = (await c.send(new ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 10 }))).Messages!;
    assert.deepEqual(rest.map((m) => m.Body), ['a2', 'a3']);
  });

  test('batches: entries succeed and fail each on their own; empty, too many and repeated ids refuse the batch', async () => {
    const c = sqs();
    const q = await queue('batch', { MaximumMessageSize: '1024' });
    const r = await c.send(new SendMessageBatchCommand({
      QueueUrl: q, Entries: [{ Id: 'ok1', MessageBody: 'one' }, { Id: 'big', MessageBody: 'x'.repeat(2000) }, { Id: 'ok2', MessageBody: 'two', MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } } }],
    }));
    assert.deepEqual(r.Successful?.map((s) => s.Id), ['ok1', 'ok2']);
    assert.deepEqual(r.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]), [['big', 'InvalidParameterValue', true]]);
    await refused(c.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [] })), 'EmptyBatchRequest');
    await refused(c.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })) })), 'TooManyEntriesInBatchRequest');
    await refused(c.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })), 'BatchEntryIdsNotDistinct');
    const got = (await c.send(new ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages!;
    assert.equal(got.length, 2);
    const del = await c.send(new DeleteMessageBatchCommand({ QueueUrl: q, Entries: [...got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })), { Id: 'bad', ReceiptHandle: 'nope' }] }));
    assert.equal(del.Successful?.length, 2);
    assert.deepEqual(del.Failed?.map((f) => [f.Id, f.Code]), [['bad', 'ReceiptHandleIsInvalid']]);
  });

  test('IAM: a user allowed only sqs:SendMessage on one queue is denied the rest', async () => {
    const q = await queue('guarded');
    await queue('elsewhere');
    const keys = await userWithKey(url, 'sender', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:${region}:${ACCOUNT}:guarded` }]);
    const c = new SQSClient({ endpoint: url, region, credentials: keys, maxAttempts: 1 });
    await c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'allowed' }));
    await refused(c.send(new ReceiveMessageCommand({ QueueUrl: q })), 'AccessDeniedException', /sqs:ReceiveMessage/);
    await refused(c.send(new SendMessageCommand({ QueueUrl: `${url}/${ACCOUNT}/elsewhere`, MessageBody: 'x' })), 'AccessDeniedException', /sqs:SendMessage/);
    // Batches are authorized as their single actions: IAM has no sqs:SendMessageBatch.
    assert.equal((await c.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a', MessageBody: 'batched' }] }))).Successful?.length, 1);
    await refused(c.send(new DeleteMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a', ReceiptHandle: 'x' }] })), 'AccessDeniedException', /perform: sqs:DeleteMessage on/);
    await refused(c.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a', ReceiptHandle: 'x', VisibilityTimeout: 1 }] })),
      'AccessDeniedException', /perform: sqs:ChangeMessageVisibility on/);
  });

  test('metrics: AWS/SQS counts and queue state by QueueName in CloudWatch', async () => {
    const c = sqs();
    const q = await queue('metered');
    for (let i = 0; i < 3; i++) await c.send(new SendMessageCommand({ QueueUrl: q, MessageBody: `m${i}` }));
    const got = (await c.send(new ReceiveMessageCommand({ QueueUrl: q }))).Messages!;
    await c.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: got[0]!.ReceiptHandle }));
    const cw = new CloudWatchClient({ endpoint: url, region, credentials, maxAttempts: 1 });
    const sum = async (MetricName: string, Statistic: 'Sum' | 'Maximum') => {
      const { Datapoints } = await cw.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/SQS', MetricName, Dimensions: [{ Name: 'QueueName', Value: 'metered' }],
        StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 120_000), Period: 60, Statistics: [Statistic],
      }));
      return (Datapoints ?? []).reduce((n, d) => (Statistic === 'Sum' ? n + (d.Sum ?? 0) : Math.max(n, d.Maximum ?? 0)), 0);
    };
    for (let i = 0; ; i++) {
      const [sent, received, deleted, visible] = [await sum('NumberOfMessagesSent', 'Sum'), await sum('NumberOfMessagesReceived', 'Sum'), await sum('NumberOfMessagesDeleted', 'Sum'), await sum('ApproximateNumberOfMessagesVisible', 'Maximum')];
      if (sent === 3 && received === 1 && deleted === 1 && visible === 2) break;
      assert.ok(i < 40, `metrics: sent ${sent}, received ${received}, deleted ${deleted}, visible ${visible}`);
      await sleep(250);
    }
  });

  test('EventBridge: a rule delivers matching events to an SQS queue target, and to a FIFO queue in its SqsParameters group', async () => {
    const c = sqs();
    const q = await queue('events-in');
    const fq = await queue('events-in.fifo', { FifoQueue: 'true' });
    const eb = new EventBridgeClient({ endpoint: url, region, credentials, maxAttempts: 1 });
    await eb.send(new PutRuleCommand({ Name: 'to-sqs', EventPattern: JSON.stringify({ source: ['orders'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'to-sqs', Targets: [
      { Id: 'q', Arn: `arn:aws:sqs:${region}:${ACCOUNT}:events-in` },
      { Id: 'f', Arn: `arn:aws:sqs:${region}:${ACCOUNT}:events-in.fifo`, SqsParameters: { MessageGroupId: 'orders' } },
    ] }));
    await eb.send(new PutEventsCommand({ Entries: [{ Source: 'orders', DetailType: 'placed', Detail: JSON.stringify({ id: 7 }) }] }));
    for (const [u, fifo] of [[q, false], [fq, true]] as const) {
      const m = (await c.send(new ReceiveMessageCommand({ QueueUrl: u, WaitTimeSeconds: 10, MessageSystemAttributeNames: ['MessageGroupId'] }))).Messages?.[0];
      const event = JSON.parse(m?.Body ?? '{}');
      assert.deepEqual([event.source, event['detail-type'], event.detail], ['orders', 'placed', { id: 7 }]);
      if (fifo) assert.equal(m?.Attributes?.MessageGroupId, 'orders');
    }
  });

  test('the AWS CLI 2.9 (SQS\'s Query protocol, its own model): queues, attributes, tags, messages, batches, visibility, FIFO, purge, errors', async () => {
    url = (await plane()).url;
    const { cli, cliFails } = awsCli(() => url, 'sqs');
    const created = await cli('create-queue', '--queue-name', 'cli-queue', '--attributes', 'VisibilityTimeout=40,DelaySeconds=0', '--tags', 'team=core');
    const q = created.QueueUrl as string;
    assert.equal(q, `${url}/${ACCOUNT}/cli-queue`);
    assert.equal((await cli('get-queue-url', '--queue-name', 'cli-queue')).QueueUrl, q);
    const attrs = (await cli('get-queue-attributes', '--queue-url', q, '--attribute-names', 'VisibilityTimeout', 'QueueArn')).Attributes;
    assert.deepEqual(attrs, { VisibilityTimeout: '40', QueueArn: `arn:aws:sqs:${region}:${ACCOUNT}:cli-queue` });
    await cli('set-queue-attributes', '--queue-url', q, '--attributes', 'MaximumMessageSize=2048');
    assert.equal((await cli('get-queue-attributes', '--queue-url', q, '--attribute-names', 'All')).Attributes.MaximumMessageSize, '2048');

    await cli('tag-queue', '--queue-url', q, '--tags', 'env=test');
    assert.deepEqual((await cli('list-queue-tags', '--queue-url', q)).Tags, { team: 'core', env: 'test' });
    await cli('untag-queue', '--queue-url', q, '--tag-keys', 'team');
    assert.deepEqual((await cli('list-queue-tags', '--queue-url', q)).Tags, { env: 'test' });

    const sent = await cli('send-message', '--queue-url', q, '--message-body', 'from the cli',
      '--message-attributes', JSON.stringify({ k: { DataType: 'String', StringValue: 'v' }, n: { DataType: 'Number', StringValue: '42' }, b: { DataType: 'Binary', BinaryValue: 'AQI=' } }));
    assert.ok(sent.MessageId);
    assert.equal(sent.MD5OfMessageBody, createHash('md5').update('from the cli').digest('hex'));
    assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);
    const got = await cli('receive-message', '--queue-url', q, '--message-attribute-names', 'All', '--attribute-names', 'All');
    assert.equal(got.Messages.length, 1);
    const m = got.Messages[0];
    assert.deepEqual([m.MessageId, m.Body, m.MD5OfBody, m.MD5OfMessageAttributes], [sent.MessageId, 'from the cli', sent.MD5OfMessageBody, sent.MD5OfMessageAttributes]);
    assert.deepEqual(m.MessageAttributes, {
      k: { DataType: 'String', StringValue: 'v' }, n: { DataType: 'Number', StringValue: '42' }, b: { DataType: 'Binary', BinaryValue: 'AQI=' },
    });
    assert.equal(m.Attributes.ApproximateReceiveCount, '1');
    assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);
    await cli('change-message-visibility', '--queue-url', q, '--receipt-handle', m.ReceiptHandle, '--visibility-timeout', '0');
    const again = (await cli('receive-message', '--queue-url', q, '--attribute-names', 'ApproximateReceiveCount')).Messages[0];
    assert.equal(again.Attributes.ApproximateReceiveCount, '2');
    assert.equal(again.MessageAttributes, undefined);
    await cli('delete-message', '--queue-url', q, '--receipt-handle', again.ReceiptHandle);

    const batch = await cli('send-message-batch', '--queue-url', q, '--entries',
      JSON.stringify([{ Id: 'a', MessageBody: 'one', MessageAttributes: { x: { DataType: 'String', StringValue: 'y' } } }, { Id: 'b', MessageBody: 'two' }]));
    assert.deepEqual(batch.Successful.map((e: { Id: string }) => e.Id).sort(), ['a', 'b']);
    assert.equal(batch.Failed, undefined);
    const both = (await cli('receive-message', '--queue-url', q, '--max-number-of-messages', '10', '--wait-time-seconds', '1')).Messages;
    assert.deepEqual(both.map((x: { Body: string }) => x.Body).sort(), ['one', 'two']);
    const deleted = await cli('delete-message-batch', '--queue-url', q, '--entries',
      JSON.stringify([...both.map((x: { ReceiptHandle: string }, i: number) => ({ Id: `d${i}`, ReceiptHandle: x.ReceiptHandle })), { Id: 'bad', ReceiptHandle: 'nope' }]));
    assert.deepEqual(deleted.Successful.map((e: { Id: string }) => e.Id).sort(), ['d0', 'd1']);
    assert.deepEqual(deleted.Failed.map((e: { Id: string; Code: string; SenderFault: boolean }) => [e.Id, e.Code, e.SenderFault]), [['bad', 'ReceiptHandleIsInvalid', true]]);
    assert.equal((await cli('get-queue-attributes', '--queue-url', q, '--attribute-names', 'ApproximateNumberOfMessages')).Attributes.ApproximateNumberOfMessages, '0');

    const fifo = (await cli('create-queue', '--queue-name', 'cli-orders.fifo', '--attributes', 'FifoQueue=true,ContentBasedDeduplication=true')).QueueUrl as string;
    for (const body of ['first', 'second', 'first']) await cli('send-message', '--queue-url', fifo, '--message-body', body, '--message-group-id', 'g');
    const ordered = (await cli('receive-message', '--queue-url', fifo, '--max-number-of-messages', '10', '--attribute-names', 'All')).Messages;
    assert.deepEqual(ordered.map((x: { Body: string }) => x.Body), ['first', 'second']);
    assert.equal(ordered[0].Attributes.MessageGroupId, 'g');
    assert.ok(ordered[0].Attributes.SequenceNumber < ordered[1].Attributes.SequenceNumber);

    await cli('send-message', '--queue-url', q, '--message-body', 'to purge');
    await cli('purge-queue', '--queue-url', q);
    assert.equal((await cli('receive-message', '--queue-url', q)).Messages, undefined);

    const list = await cli('list-queues', '--queue-name-prefix', 'cli-');
    assert.deepEqual(list.QueueUrls, [fifo, q]);
    await cli('delete-queue', '--queue-url', fifo);
    assert.deepEqual((await cli('list-queues', '--queue-name-prefix', 'cli-')).QueueUrls, [q]);

    assert.match(await cliFails('get-queue-url', '--queue-name', 'cli-missing'),
      /An error occurred \(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation: The specified queue does not exist/);
    assert.match(await cliFails('send-message', '--queue-url', `${url}/${ACCOUNT}/cli-gone`, '--message-body', 'x'), /\(AWS\.SimpleQueueService\.NonExistentQueue\)/);
    assert.match(await cliFails('create-queue', '--queue-name', 'cli-queue', '--attributes', 'VisibilityTimeout=41'), /\(QueueAlreadyExists\)/);
    assert.match(await cliFails('receive-message', '--queue-url', q, '--attribute-names', 'Nope'), /\(InvalidAttributeName\)/);
  });

  test('Query requests sent to a queue\'s URL name the queue by their path, as older clients send them (POST form, GET query string)', async () => {
    url = (await plane()).url;
    const q = await queue('by-path');
    const query = async (method: 'GET' | 'POST', target: string, params: Record<string, string>, keys: typeof credentials = credentials) => {
      const form = new URLSearchParams({ Version: '2012-11-05', ...params }).toString();
      const u = new URL(method === 'GET' ? `${target}?${form}` : target);
      const headers: Record<string, string> = method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {};
      const signed = await signRequest({ method, url: u, headers, ...(method === 'POST' && { body: form }), credentials: keys, region, service: 'sqs' });
      const res = await fetch(u, { method, headers: signed, ...(method === 'POST' && { body: form }) });
      return { status: res.status, body: await res.text() };
    };
    const sent = await query('POST', q, { Action: 'SendMessage', MessageBody: 'posted to the queue', 'MessageAttribute.1.Name': 'k', 'MessageAttribute.1.Value.DataType': 'String', 'MessageAttribute.1.Value.StringValue': 'v' });
    assert.equal(sent.status, 200, sent.body);
    assert.match(sent.body, /^<SendMessageResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><MessageId>[\w-]+<\/MessageId><\/SendMessageResult><ResponseMetadata><RequestId>/);
    const got = await query('GET', q, { Action: 'ReceiveMessage', 'AttributeName.1': 'SentTimestamp', 'MessageAttributeName.1': 'All' });
    assert.equal(got.status, 200, got.body);
    assert.match(got.body, /<ReceiveMessageResult><Message><MessageId>.*<Body>posted to the queue<\/Body><Attribute><Name>SentTimestamp<\/Name><Value>\d{13}<\/Value><\/Attribute>.*<MessageAttribute><Name>k<\/Name><Value><StringValue>v<\/StringValue><DataType>String<\/DataType><\/Value><\/MessageAttribute><\/Message><\/ReceiveMessageResult>/);
    const missing = await query('POST', `${url}/${ACCOUNT}/by-path-missing`, { Action: 'GetQueueAttributes', 'AttributeName.1': 'All' });
    assert.equal(missing.status, 400);
    assert.match(missing.body, /^<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code><Message>/);
    // A parameter wins over the path; a path that is no queue's names none.
    const other = await query('POST', `${url}/${ACCOUNT}/by-path-missing`, { Action: 'GetQueueAttributes', QueueUrl: q, 'AttributeName.1': 'QueueArn' });
    assert.match(other.body, new RegExp(`<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:${region}:${ACCOUNT}:by-path</Value></Attribute>`));
    const none = await query('POST', `${url}/`, { Action: 'GetQueueAttributes' });
    assert.match(none.body, /<Code>MissingParameter<\/Code><Message>The request must contain the parameter QueueUrl\.<\/Message>/);
    // IAM's refusal in Query's words: AccessDenied, 403.
    const keys = await userWithKey(url, 'path-sender', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:${region}:${ACCOUNT}:by-path` }]);
    assert.equal((await query('POST', q, { Action: 'SendMessage', MessageBody: 'allowed' }, keys)).status, 200);
    const denied = await query('POST', q, { Action: 'ReceiveMessage' }, keys);
    assert.equal(denied.status, 403);
    assert.match(denied.body, /<Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>User: arn:aws:iam::\d{12}:user\/path-sender is not authorized to perform: sqs:ReceiveMessage/);
  });
});

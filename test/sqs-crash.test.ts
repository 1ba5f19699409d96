/**
 * SQS's durability with a real process: a `wharf dev` takes sends from several clients and is
 * killed with SIGKILL mid-traffic; restarted on the same data dir, every send it acknowledged is
 * receivable (sends cut off by the kill may or may not be there: they were not acknowledged).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { cleanedUpAfter, credentials, region, startDev, tempDir } from './support/wharf.ts';

const { processes } = cleanedUpAfter();
const client = (url: string) => new SQSClient({ endpoint: url, region, credentials, maxAttempts: 1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SQS crash', () => {
  it('kill -9 mid-traffic: every acknowledged send is receivable after a restart', async () => {
    const dir = tempDir();
    const first = await startDev(dir);
    processes.push(first);
    const queuePath = `/123456789012/crash-orders`;
    await client(first.url).send(new CreateQueueCommand({ QueueName: 'crash-orders', Attributes: { VisibilityTimeout: '300' } }));
    const acknowledged = new Set<string>();
    let stop = false;
    const producer = async (n: number) => {
      const c = client(first.url);
      for (let i = 0; !stop; i++) {
        const body = `client-${n}-message-${i}`;
        try {
          await c.send(new SendMessageCommand({ QueueUrl: `${first.url}${queuePath}`, MessageBody: body, MessageAttributes: { n: { DataType: 'Number', StringValue: String(i) } } }));
          acknowledged.add(body);
        } catch {
          return; // the process died under this send: it was not acknowledged
        }
      }
    };
    const producers = Array.from({ length: 6 }, (_, n) => producer(n));
    await sleep(1500);
    await first.kill9();
    stop = true;
    await Promise.all(producers);
    assert.ok(acknowledged.size > 50, `some traffic before the kill (${acknowledged.size} sends)`);

    const second = await startDev(dir);
    processes.push(second);
    const c = client(second.url);
    const received = new Set<string>();
    for (let empty = 0; empty < 2;) {
      const { Messages } = await c.send(new ReceiveMessageCommand({ QueueUrl: `${second.url}${queuePath}`, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (!Messages?.length) {
        empty++;
        continue;
      }
      for (const m of Messages) {
        assert.ok(!received.has(m.Body!), `${m.Body} received twice within its visibility timeout`);
        received.add(m.Body!);
      }
      await c.send(new DeleteMessageBatchCommand({ QueueUrl: `${second.url}${queuePath}`, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    const lost = [...acknowledged].filter((b) => !received.has(b));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged sends lost`);
    assert.ok(received.size <= acknowledged.size + 6, 'at most one unacknowledged send per client survived');
  });
});

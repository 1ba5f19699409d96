/**
 * SQS throughput: 8 producers and 8 consumers on one queue (bounded: a producer waits while
 * more than 1,000 messages are outstanding), each message sent, received (batches of up to 10,
 * long polling) and deleted. Printed beside a reference measured in the same run: the same loop
 * through the queues domain on a SQLite store in this process, without HTTP, SigV4 or IAM.
 *
 *   npm run bench:sqs            # 10 s per run
 *   BENCH_SECONDS=30 npm run bench:sqs
 */
import { join } from 'node:path';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startControlPlane } from '../src/cli/control-plane.ts';
import { randomIds, systemClock } from '../src/common/index.ts';
import { createQueue, deleteMessage, receiveOnce, sendMessages, type QueuesEnv } from '../src/queues/index.ts';
import { SqliteStore } from '../src/state/index.ts';
import { credentials, region, rootKeyEnv, tempDir } from '../test/support/wharf.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PRODUCERS = 8;
const CONSUMERS = 8;
const OUTSTANDING = 1000;
const BODY = 'x'.repeat(256);

interface Ops {
  send(body: string): Promise<void>;
  /** Receives up to 10 and deletes them; returns how many. */
  receiveAndDelete(): Promise<number>;
}

async function run(ops: Ops): Promise<{ perSecond: number; sent: number; done: number }> {
  let sent = 0;
  let done = 0;
  const end = Date.now() + SECONDS * 1000;
  const producer = async () => {
    while (Date.now() < end) {
      if (sent - done > OUTSTANDING) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      sent++;
      await ops.send(BODY);
    }
  };
  const consumer = async () => {
    while (Date.now() < end) {
      const n = await ops.receiveAndDelete();
      done += n;
    }
  };
  await Promise.all([...Array.from({ length: PRODUCERS }, producer), ...Array.from({ length: CONSUMERS }, consumer)]);
  return { perSecond: done / SECONDS, sent, done };
}

async function overApi(): Promise<{ perSecond: number; sent: number; done: number }> {
  const plane = await startControlPlane({
    host: '127.0.0.1', port: 0, dataDir: tempDir('wharf-bench-'), account: '123456789012', region, allowReset: false,
    unknownKeysAsRoot: false, env: rootKeyEnv, log: () => undefined, dns: false,
  });
  try {
    const c = new SQSClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'bench' }));
    return await run({
      send: async (body) => { await c.send(new SendMessageCommand({ QueueUrl, MessageBody: body })); },
      receiveAndDelete: async () => {
        const { Messages } = await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        if (!Messages?.length) return 0;
        await c.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
        return Messages.length;
      },
    });
  } finally {
    await plane.stop();
  }
}

async function inProcess(): Promise<{ perSecond: number; sent: number; done: number }> {
  const store = SqliteStore.open(join(tempDir('wharf-bench-'), 'wharf.db'));
  const env: QueuesEnv = { store, clock: systemClock, ids: randomIds };
  const scope = { account: '123456789012', region };
  await createQueue(env, scope, 'bench', {}, {});
  try {
    return await run({
      send: async (body) => { await sendMessages(env, scope, 'bench', [{ body }], 'bench'); },
      receiveAndDelete: async () => {
        const got = await receiveOnce(env, scope, 'bench', 10);
        if (!got.length) await new Promise((r) => setTimeout(r, 5));
        for (const m of got) await deleteMessage(env, scope, 'bench', m.receiptHandle);
        return got.length;
      },
    });
  } finally {
    await store.close();
  }
}

const reference = await inProcess();
const api = await overApi();
console.log(`SQS, ${PRODUCERS} producers + ${CONSUMERS} consumers, ${SECONDS} s each, 256-byte bodies, at most ${OUTSTANDING} outstanding:`);
console.log(`  through the SQS API (SDK, HTTP, SigV4, IAM)  ${api.perSecond.toFixed(0).padStart(7)} messages/s sent+received+deleted  (${api.sent} sent)`);
console.log(`  reference: queues domain on SQLite, no HTTP   ${reference.perSecond.toFixed(0).padStart(7)} messages/s  (${reference.sent} sent)`);

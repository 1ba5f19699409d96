import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ManualClock, randomIds } from '../common/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import { changeVisibility, deleteMessage, moveAllMessages, queueCounts, receiveOnce, sendMessages, sweepDedup } from './messages.ts';
import { createQueue, getQueue, type QueuesEnv } from './queues.ts';
import { queueKeys } from './records.ts';
import { MAX_SET_ASIDE } from './selection.ts';

const scope = { account: '123456789012', region: 'us-east-1' };

for (const [backend, open] of Object.entries(storeBackends('queues'))) describe(`messages on ${backend}, on a virtual clock`, () => {
  const clock = new ManualClock();
  let env: QueuesEnv;
  before(async () => {
    env = { store: await open(), clock, ids: randomIds, rng: () => 0 };
  });

  test('a received, undeleted message returns after its visibility timeout, with a new receipt', async () => {
    await createQueue(env, scope, 'vt', { VisibilityTimeout: '30' }, {});
    await sendMessages(env, scope, 'vt', [{ body: 'a' }], 'me');
    const [first] = await receiveOnce(env, scope, 'vt', 1);
    assert.equal(first?.body.body, 'a');
    clock.advance(29_999);
    assert.deepEqual(await receiveOnce(env, scope, 'vt', 1), []);
    clock.advance(1);
    const [again] = await receiveOnce(env, scope, 'vt', 1);
    assert.equal(again?.state.receiveCount, 2);
    // The first receipt is stale: deleting with it leaves the message; the latest deletes it.
    await deleteMessage(env, scope, 'vt', first!.receiptHandle);
    await changeVisibility(env, scope, 'vt', again!.receiptHandle, 0);
    const [third] = await receiveOnce(env, scope, 'vt', 1);
    await deleteMessage(env, scope, 'vt', third!.receiptHandle);
    clock.advance(60_000);
    assert.deepEqual(await receiveOnce(env, scope, 'vt', 1), []);
  });

  test('past maxReceiveCount a message moves to the dead-letter queue in the receive that finds it', async () => {
    await createQueue(env, scope, 'dlq', {}, {});
    await createQueue(env, scope, 'src', { VisibilityTimeout: '10', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq', maxReceiveCount: 1 }) }, {});
    await sendMessages(env, scope, 'src', [{ body: 'poison' }], 'me');
    assert.equal((await receiveOnce(env, scope, 'src', 1)).length, 1);
    clock.advance(10_000);
    assert.deepEqual(await receiveOnce(env, scope, 'src', 1), []);
    const [dead] = await receiveOnce(env, scope, 'dlq', 1);
    assert.equal(dead?.body.body, 'poison');
    assert.equal(dead?.body.deadLetterSourceArn, 'arn:aws:sqs:us-east-1:123456789012:src');
  });

  test('FIFO: a deduplication id sent again within 5 minutes is not stored twice; after, it is', async () => {
    await createQueue(env, scope, 'f.fifo', { FifoQueue: 'true' }, {});
    const one = await sendMessages(env, scope, 'f.fifo', [{ body: 'x', groupId: 'g', deduplicationId: 'd' }], 'me');
    const two = await sendMessages(env, scope, 'f.fifo', [{ body: 'x', groupId: 'g', deduplicationId: 'd' }], 'me');
    assert.equal(two[0]!.id, one[0]!.id);
    clock.advance(5 * 60_000);
    const three = await sendMessages(env, scope, 'f.fifo', [{ body: 'x', groupId: 'g', deduplicationId: 'd' }], 'me');
    assert.notEqual(three[0]!.id, one[0]!.id);
    // Two stored, none in flight: one receive gets both, in the order sent.
    assert.deepEqual((await receiveOnce(env, scope, 'f.fifo', 10)).map((m) => m.body.id), [one[0]!.id, three[0]!.id]);
  });

  test('many messages set aside at once stay within one transaction\'s bounds: dead letters, expiries, redrives and dedup sweeps in batches', async () => {
    await createQueue(env, scope, 'bulk-dlq', {}, {});
    await createQueue(env, scope, 'bulk', { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:bulk-dlq', maxReceiveCount: 1 }) }, {});
    const count = 4 * MAX_SET_ASIDE;
    for (let i = 0; i < count; i += 10) await sendMessages(env, scope, 'bulk', Array.from({ length: 10 }, (_, j) => ({ body: `m${i + j}` })), 'me');
    let received = 0;
    while (received < count) received += (await receiveOnce(env, scope, 'bulk', 10)).length;
    // Every message has been received once: the receives that find them move them, MAX_SET_ASIDE at a time.
    for (let i = 0; i < count / MAX_SET_ASIDE; i++) await receiveOnce(env, scope, 'bulk', 10);
    assert.equal((await queueCounts(env, scope, 'bulk')).visible, 0);
    assert.equal((await queueCounts(env, scope, 'bulk-dlq')).visible, count);
    // A redrive moves them all back, in transactions etcd takes.
    assert.equal(await moveAllMessages(env, await getQueue(env, scope, 'bulk-dlq'), await getQueue(env, scope, 'bulk')), count);
    assert.equal((await queueCounts(env, scope, 'bulk')).visible, count);

    await createQueue(env, scope, 'many.fifo', { FifoQueue: 'true' }, {});
    for (let i = 0; i < 150; i += 10) {
      await sendMessages(env, scope, 'many.fifo', Array.from({ length: 10 }, (_, j) => ({ body: 'x', groupId: 'g', deduplicationId: `d${i + j}` })), 'me');
    }
    clock.advance(5 * 60_000);
    await sweepDedup(env, scope, 'many.fifo');
    assert.equal((await env.store.range(queueKeys.dedups(scope, 'many.fifo'), {})).kvs.length, 0, 'every expired deduplication record swept');
  });
});

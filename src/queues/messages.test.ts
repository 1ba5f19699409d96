import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ManualClock, randomIds } from '../common/index.ts';
import { SqliteStore } from '../state/index.ts';
import { changeVisibility, deleteMessage, receiveOnce, sendMessages } from './messages.ts';
import { createQueue, type QueuesEnv } from './queues.ts';

const store = SqliteStore.open(':memory:');
after(() => store.close());
const clock = new ManualClock();
const env: QueuesEnv = { store, clock, ids: randomIds, rng: () => 0 };
const scope = { account: '123456789012', region: 'us-east-1' };

describe('messages on the store, on a virtual clock', () => {
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
});

/**
 * SQS's `AWS/SQS` metrics, by QueueName, once a minute: the counts of what this replica's API
 * did (NumberOfMessagesSent, NumberOfMessagesReceived, NumberOfMessagesDeleted; each replica
 * publishes its own and CloudWatch adds them up) and, from the leader alone, the queues' state
 * (ApproximateNumberOfMessagesVisible, ...NotVisible, ...Delayed, ApproximateAgeOfOldestMessage).
 */
import type { Clock } from '../common/index.ts';
import { publishMetricData, type Datum } from '../metrics/index.ts';
import { queueCounts, type QueueRecord } from '../queues/index.ts';
import type { SqsActivity } from '../services/sqs/index.ts';
import type { Store } from '../state/index.ts';

type Counter = 'NumberOfMessagesSent' | 'NumberOfMessagesReceived' | 'NumberOfMessagesDeleted';

/** Counts the API's activity per queue, and publishes it with the queues' state. */
export class SqsMetrics implements SqsActivity {
  private tallies = new Map<string, { queue: QueueRecord; counts: Record<Counter, number> }>();

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  private add(queue: QueueRecord, counter: Counter, n: number): void {
    let t = this.tallies.get(queue.arn);
    if (!t) this.tallies.set(queue.arn, (t = { queue, counts: { NumberOfMessagesSent: 0, NumberOfMessagesReceived: 0, NumberOfMessagesDeleted: 0 } }));
    t.counts[counter] += n;
  }

  sent(queue: QueueRecord, n: number): void { this.add(queue, 'NumberOfMessagesSent', n); }
  received(queue: QueueRecord, n: number): void { this.add(queue, 'NumberOfMessagesReceived', n); }
  deleted(queue: QueueRecord, n: number): void { this.add(queue, 'NumberOfMessagesDeleted', n); }

  /** Publishes the counts since the last call, and (`withState`: on the leader) every queue's state. */
  async publish(withState: boolean): Promise<void> {
    const now = this.clock.now();
    const byScope = new Map<string, { scope: { account: string; region: string }; data: Datum[] }>();
    const push = (q: QueueRecord, metricName: string, value: number, unit: string) => {
      const id = `${q.account}/${q.region}`;
      let entry = byScope.get(id);
      if (!entry) byScope.set(id, (entry = { scope: { account: q.account, region: q.region }, data: [] }));
      entry.data.push({ metricName, dimensions: [{ name: 'QueueName', value: q.name }], value, unit, timestamp: now });
    };
    const tallies = this.tallies;
    this.tallies = new Map();
    for (const { queue, counts } of tallies.values()) for (const [name, n] of Object.entries(counts)) push(queue, name, n, 'Count');
    if (withState) {
      const { kvs } = await this.store.range('sqs/queues/');
      for (const kv of kvs) {
        const q = JSON.parse(kv.value) as QueueRecord;
        const c = await queueCounts({ store: this.store, clock: this.clock, ids: { hex32: () => '', uuid: () => '' } }, { account: q.account, region: q.region }, q.name);
        push(q, 'ApproximateNumberOfMessagesVisible', c.visible, 'Count');
        push(q, 'ApproximateNumberOfMessagesNotVisible', c.notVisible, 'Count');
        push(q, 'ApproximateNumberOfMessagesDelayed', c.delayed, 'Count');
        push(q, 'ApproximateAgeOfOldestMessage', c.oldestAgeSeconds, 'Seconds');
      }
    }
    for (const { scope, data } of byScope.values()) {
      for (let i = 0; i < data.length; i += 500) await publishMetricData({ store: this.store, clock: this.clock }, scope, 'AWS/SQS', data.slice(i, i + 500));
    }
  }
}

/**
 * The logs domain on both store backends (SQLite and a one-member etcd), with the event store on
 * a temporary directory: groups and streams, PutLogEvents' rules and rejected events, GetLogEvents'
 * tokens, FilterLogEvents across streams, retention applied by the sweep, metric filters, and
 * deletion taking the events with it.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsError } from '../aws/index.ts';
import { ManualClock } from '../common/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import { EventStore } from './event-store.ts';
import { acceptBatch, filterLogEvents, getLogEvents, putLogEvents } from './events.ts';
import {
  createLogGroup, createLogStream, deleteLogGroup, deleteLogStream, listLogGroups, listLogStreams, listMetricFilters, putMetricFilter, setRetention,
  tagLogGroup, untagLogGroup, type LogsEnv,
} from './groups.ts';
import { applyRetention } from './retention.ts';
import type { Scope } from './records.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 3);
const code = (expected: string, message?: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  if (message !== undefined) assert.equal(e.message, message);
  return true;
};
const dir = mkdtempSync(join(tmpdir(), 'wharf-logs-domain-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe('PutLogEvents rules (pure)', () => {
  it('rejects an unordered batch, one over 24 hours or 1,048,576 bytes; reports too old, expired and too new events', () => {
    assert.throws(() => acceptBatch([{ timestamp: NOW, message: 'b' }, { timestamp: NOW - 1, message: 'a' }], NOW),
      code('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.'));
    assert.throws(() => acceptBatch([{ timestamp: NOW - DAY - 1, message: 'a' }, { timestamp: NOW, message: 'b' }], NOW),
      code('InvalidParameterException', 'Log events in a single PutLogEvents request cannot span more than 24 hours.'));
    const big = 'x'.repeat(1_048_576 - 26 * 2 - 1);
    assert.equal(acceptBatch([{ timestamp: NOW, message: big }, { timestamp: NOW, message: 'y' }], NOW).accepted.length, 2, 'exactly at the limit');
    assert.throws(() => acceptBatch([{ timestamp: NOW, message: big }, { timestamp: NOW, message: 'yz' }], NOW), code('InvalidParameterException', 'Upload too large: 1048577 bytes exceeds limit of 1048576'));
    const batch = [NOW - 20 * DAY, NOW - 15 * DAY, NOW - 5 * DAY, NOW - 20 * HOUR, NOW - HOUR, NOW + 3 * HOUR].map((timestamp, i) => ({ timestamp, message: `e${i}` }));
    const { accepted, rejected } = acceptBatch(batch.slice(3), NOW, 3);
    assert.deepEqual([accepted.map((e) => e.message), rejected], [['e3', 'e4'], { tooNewLogEventStartIndex: 2 }]);
    const spread = acceptBatch([batch[0]!, batch[1]!, { timestamp: NOW - 23 * HOUR, message: 'x' }, batch[4]!], NOW, 1);
    assert.deepEqual(spread.rejected, { tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 2 });
    assert.deepEqual(spread.accepted.map((e) => e.message), ['x', 'e4'], 'the span counts only what is kept');
  });
});

for (const [backend, open] of Object.entries(storeBackends('logs'))) {
  describe(`logs domain on ${backend}`, () => {
    const fresh = async (): Promise<LogsEnv & { clock: ManualClock }> =>
      ({ store: await open(), clock: new ManualClock(NOW), events: new EventStore(join(dir, `${backend}-${++n}`)) });

    it('groups and streams: created once, listed by prefix and pattern, tagged, ordered by last event time', async () => {
      const env = await fresh();
      await createLogGroup(env, scope, { name: '/ecs/web', tags: { team: 'a' } });
      await createLogGroup(env, scope, { name: '/ecs/api' });
      await createLogGroup(env, scope, { name: 'other' });
      await assert.rejects(createLogGroup(env, scope, { name: '/ecs/web' }), code('ResourceAlreadyExistsException'));
      await assert.rejects(createLogGroup(env, scope, { name: 'AWS/mine' }), code('InvalidParameterException', 'Log groups starting with AWS/ are reserved for AWS.'));
      await createLogGroup(env, scope, { name: '/aws/ecs/containerinsights' });
      assert.deepEqual((await listLogGroups(env, scope, { prefix: '/ecs/' })).map((g) => g.name), ['/ecs/api', '/ecs/web']);
      assert.equal((await listLogGroups(env, scope, {})).length, 4);
      assert.deepEqual((await listLogGroups(env, scope, { pattern: 'WEB' })).map((g) => g.name), ['/ecs/web'], 'patterns ignore case');
      await tagLogGroup(env, scope, '/ecs/web', { env: 'prod' });
      assert.deepEqual((await untagLogGroup(env, scope, '/ecs/web', ['team'])).tags, { env: 'prod' });

      await createLogStream(env, scope, '/ecs/web', 'b');
      await createLogStream(env, scope, '/ecs/web', 'a');
      await createLogStream(env, scope, '/ecs/web', 'c');
      await assert.rejects(createLogStream(env, scope, '/ecs/web', 'a'), code('ResourceAlreadyExistsException'));
      await assert.rejects(createLogStream(env, scope, 'nope', 'a'), code('ResourceNotFoundException', 'The specified log group does not exist.'));
      await putLogEvents(env, scope, '/ecs/web', 'c', [{ timestamp: NOW - 10, message: 'old' }]);
      await putLogEvents(env, scope, '/ecs/web', 'a', [{ timestamp: NOW - 5, message: 'new' }]);
      assert.deepEqual((await listLogStreams(env, scope, '/ecs/web', {})).map((s) => s.name), ['a', 'b', 'c']);
      assert.deepEqual((await listLogStreams(env, scope, '/ecs/web', { orderBy: 'LastEventTime', descending: true })).map((s) => s.name), ['a', 'c', 'b']);
      const [a] = await listLogStreams(env, scope, '/ecs/web', { prefix: 'a' });
      assert.deepEqual([a!.firstEventTimestamp, a!.lastEventTimestamp, a!.lastIngestionTime, a!.storedBytes], [NOW - 5, NOW - 5, NOW, 3 + 26]);
      assert.equal((await listLogGroups(env, scope, { prefix: '/ecs/web' }))[0]!.storedBytes, 2 * 29);
    });

    it('GetLogEvents pages forward and backward; the same token comes back when nothing is new', async () => {
      const env = await fresh();
      await createLogGroup(env, scope, { name: 'g' });
      await createLogStream(env, scope, 'g', 's');
      const first = await putLogEvents(env, scope, 'g', 's', [1, 2, 3].map((i) => ({ timestamp: NOW - 100 + i, message: `m${i}` })));
      const second = await putLogEvents(env, scope, 'g', 's', [4, 5].map((i) => ({ timestamp: NOW - 100 + i, message: `m${i}` })));
      assert.notEqual(first.nextSequenceToken, second.nextSequenceToken);
      const tail = await getLogEvents(env, scope, { group: 'g', stream: 's', limit: 2 });
      assert.deepEqual(tail.events.map((e) => e.message), ['m4', 'm5'], 'without a token: the newest');
      const before = await getLogEvents(env, scope, { group: 'g', stream: 's', nextToken: tail.nextBackwardToken, limit: 2 });
      assert.deepEqual(before.events.map((e) => e.message), ['m2', 'm3']);
      const atEnd = await getLogEvents(env, scope, { group: 'g', stream: 's', nextToken: tail.nextForwardToken });
      assert.deepEqual([atEnd.events, atEnd.nextForwardToken], [[], tail.nextForwardToken]);
      await putLogEvents(env, scope, 'g', 's', [{ timestamp: NOW, message: 'm6' }]);
      const more = await getLogEvents(env, scope, { group: 'g', stream: 's', nextToken: tail.nextForwardToken });
      assert.deepEqual(more.events.map((e) => e.message), ['m6']);
      const head = await getLogEvents(env, scope, { group: 'g', stream: 's', startFromHead: true, startTime: NOW - 98, endTime: NOW - 96 });
      assert.deepEqual(head.events.map((e) => e.message), ['m2', 'm3']);
      await assert.rejects(getLogEvents(env, scope, { group: 'g', stream: 's', nextToken: 'x/1' }), code('InvalidParameterException'));
      await assert.rejects(getLogEvents(env, scope, { group: 'g', stream: 'nope' }), code('ResourceNotFoundException', 'The specified log stream does not exist.'));
    });

    it('FilterLogEvents interleaves streams by time, filters, and pages with nextToken', async () => {
      const env = await fresh();
      await createLogGroup(env, scope, { name: 'g' });
      for (const s of ['web-1', 'web-2', 'worker']) await createLogStream(env, scope, 'g', s);
      await putLogEvents(env, scope, 'g', 'web-1', [{ timestamp: NOW - 30, message: 'ERROR a' }, { timestamp: NOW - 10, message: 'INFO b' }]);
      await putLogEvents(env, scope, 'g', 'web-2', [{ timestamp: NOW - 20, message: 'ERROR c' }]);
      await putLogEvents(env, scope, 'g', 'worker', [{ timestamp: NOW - 25, message: '{"level":"ERROR"}' }]);
      const all = await filterLogEvents(env, scope, { group: 'g' });
      assert.deepEqual(all.events.map((e) => [e.logStreamName, e.message]), [['web-1', 'ERROR a'], ['worker', '{"level":"ERROR"}'], ['web-2', 'ERROR c'], ['web-1', 'INFO b']]);
      assert.equal(new Set(all.events.map((e) => e.eventId)).size, 4);
      assert.deepEqual((await filterLogEvents(env, scope, { group: 'g', filterPattern: 'ERROR', streamNamePrefix: 'web' })).events.map((e) => e.message), ['ERROR a', 'ERROR c']);
      assert.deepEqual((await filterLogEvents(env, scope, { group: 'g', filterPattern: '{ $.level = "ERROR" }' })).events.map((e) => e.logStreamName), ['worker']);
      assert.deepEqual((await filterLogEvents(env, scope, { group: 'g', streamNames: ['web-2', 'worker'], startTime: NOW - 22 })).events.map((e) => e.message), ['ERROR c']);
      const page1 = await filterLogEvents(env, scope, { group: 'g', limit: 3 });
      const page2 = await filterLogEvents(env, scope, { group: 'g', limit: 3, nextToken: page1.nextToken });
      assert.deepEqual([...page1.events, ...page2.events].map((e) => e.eventId), all.events.map((e) => e.eventId));
      assert.equal(page2.nextToken, undefined);
      await assert.rejects(filterLogEvents(env, scope, { group: 'g', filterPattern: '{ $.a = ' }), code('InvalidParameterException', 'Invalid filter pattern'));
    });

    it('retention: only valid periods; the sweep deletes expired segments and recounts stored bytes', async () => {
      const env = await fresh();
      env.events = new EventStore(join(dir, `${backend}-${++n}`), { segmentSpanMs: HOUR });
      await createLogGroup(env, scope, { name: 'g' });
      await createLogStream(env, scope, 'g', 's');
      await assert.rejects(setRetention(env, scope, 'g', 2), code('InvalidParameterException'));
      await putLogEvents(env, scope, 'g', 's', [{ timestamp: NOW - 3 * DAY, message: 'old' }]);
      await putLogEvents(env, scope, 'g', 's', [{ timestamp: NOW, message: 'new' }]);
      assert.equal(await applyRetention(env), 0, 'no policy, nothing expires');
      await setRetention(env, scope, 'g', 1);
      assert.equal(await applyRetention(env), 1);
      assert.deepEqual((await getLogEvents(env, scope, { group: 'g', stream: 's', startFromHead: true })).events.map((e) => e.message), ['new']);
      const [s] = await listLogStreams(env, scope, 'g', {});
      assert.ok(s!.storedBytes < 2 * 29);
      const expired = await putLogEvents(env, scope, 'g', 's', [{ timestamp: NOW - 2 * DAY, message: 'late' }]);
      assert.deepEqual(expired.rejected, { expiredLogEventEndIndex: 1 });
      await setRetention(env, scope, 'g', undefined);
      assert.deepEqual((await putLogEvents(env, scope, 'g', 's', [{ timestamp: NOW - 2 * DAY, message: 'late' }])).rejected, {});
    });

    it('metric filters are validated and listed; deleting streams and groups takes their events and filters', async () => {
      const env = await fresh();
      await createLogGroup(env, scope, { name: 'g' });
      const transform = [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1' }];
      await putMetricFilter(env, scope, { filterName: 'errors', filterPattern: '{ $.level = "ERROR" }', logGroupName: 'g', metricTransformations: transform });
      await assert.rejects(putMetricFilter(env, scope, { filterName: 'bad', filterPattern: '[a,,b]', logGroupName: 'g', metricTransformations: transform }),
        code('InvalidParameterException', 'Invalid metric filter pattern'));
      assert.deepEqual((await listMetricFilters(env, scope, { metricName: 'Errors', metricNamespace: 'App' })).map((f) => f.filterName), ['errors']);
      await createLogStream(env, scope, 'g', 's');
      await putLogEvents(env, scope, 'g', 's', [{ timestamp: NOW, message: 'x' }]);
      await deleteLogStream(env, scope, 'g', 's');
      await createLogStream(env, scope, 'g', 's');
      assert.deepEqual((await getLogEvents(env, scope, { group: 'g', stream: 's' })).events, [], 'a new stream of the same name starts empty');
      await deleteLogGroup(env, scope, 'g');
      await assert.rejects(deleteLogGroup(env, scope, 'g'), code('ResourceNotFoundException'));
      assert.deepEqual(await listMetricFilters(env, scope, {}), []);
      assert.deepEqual((await env.store.range('logs/')).kvs, []);
    });
  });
}

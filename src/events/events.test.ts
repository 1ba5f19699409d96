/**
 * The events domain on both store backends: buses, rules and targets, PutEvents enqueuing a
 * delivery per matching target in the same commit, delivery through ports (and to another bus,
 * onward), failures kept with their reason and dead-letter record, and scheduled rules firing
 * each due time once, also when two passes race.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, type Ids } from '../common/index.ts';
import { listDocs } from '../state/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import * as events from './index.ts';

const scope = { account: '123456789012', region: 'us-east-1' };
let n = 0;
const ids: Ids = { hex32: () => (++n).toString(16).padStart(32, '0'), uuid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` };

for (const [backend, open] of Object.entries(storeBackends('events'))) {
  describe(`events domain on ${backend}`, () => {
    const setup = async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      return { store: await open(), clock, ids };
    };

    it('buses: default exists; create, describe, list, delete (its rules with it)', async () => {
      const env = await setup();
      assert.equal((await events.describeEventBus(env, scope, 'default')).arn, 'arn:aws:events:us-east-1:123456789012:event-bus/default');
      await events.createEventBus(env, scope, { name: 'orders', tags: [] });
      await assert.rejects(events.createEventBus(env, scope, { name: 'orders', tags: [] }), { code: 'ResourceAlreadyExistsException', message: 'Event bus orders already exists.' });
      assert.deepEqual((await events.listEventBuses(env, scope)).map((b) => b.name), ['default', 'orders']);
      await events.putRule(env, scope, { name: 'r', busName: 'orders', eventPattern: '{"source":["a"]}', tags: [] });
      await events.deleteEventBus(env, scope, 'orders');
      await assert.rejects(events.describeEventBus(env, scope, 'orders'), { code: 'ResourceNotFoundException', message: 'Event bus orders does not exist.' });
      assert.deepEqual(await listDocs(env.store, events.keys.allRules(scope)), []);
      await assert.rejects(events.deleteEventBus(env, scope, 'default'), { code: 'ValidationException' });
    });

    it('rules: checked patterns and schedules, targets at most five, delete refused while targeted', async () => {
      const env = await setup();
      await assert.rejects(events.putRule(env, scope, { name: 'r', busName: 'default', eventPattern: '{"a":"b"}', tags: [] }),
        { code: 'InvalidEventPatternException', message: 'Event pattern is not valid. Reason: "a" must be an object or an array' });
      await assert.rejects(events.putRule(env, scope, { name: 'r', busName: 'default', scheduleExpression: 'rate(1 minutes)', tags: [] }),
        { code: 'ValidationException', message: 'Parameter ScheduleExpression is not valid.' });
      const rule = await events.putRule(env, scope, { name: 'r', busName: 'default', eventPattern: '{"source":["a"]}', tags: [] });
      assert.equal(rule.arn, 'arn:aws:events:us-east-1:123456789012:rule/r');
      const targets = [1, 2, 3, 4, 5, 6].map((i) => ({ id: `t${i}`, arn: `arn:aws:logs:us-east-1:123456789012:log-group:g${i}` }));
      await assert.rejects(events.putTargets(env, scope, 'default', 'r', targets, () => undefined), { code: 'LimitExceededException' });
      assert.deepEqual(await events.putTargets(env, scope, 'default', 'r', targets.slice(0, 5), () => undefined), []);
      await assert.rejects(events.deleteRule(env, scope, 'default', 'r'), { code: 'ValidationException', message: 'Rule can\'t be deleted since it has targets.' });
      await events.removeTargets(env, scope, 'default', 'r', ['t1', 't2', 't3', 't4', 't5']);
      await events.deleteRule(env, scope, 'default', 'r');
      await assert.rejects(events.describeRule(env, scope, 'default', 'r'), { code: 'ResourceNotFoundException', message: 'Rule r does not exist on EventBus default.' });
    });

    it('PutEvents enqueues a delivery per matching target; delivery goes through the port, to another bus onward, or fails with a reason', async () => {
      const env = await setup();
      await events.createEventBus(env, scope, { name: 'audit', tags: [] });
      await events.putRule(env, scope, { name: 'to-audit', busName: 'default', eventPattern: '{"source":["shop"]}', tags: [] });
      await events.putTargets(env, scope, 'default', 'to-audit', [
        { id: 'bus', arn: events.busArn(scope, 'audit') },
        { id: 'lambda', arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
      ], () => undefined);
      await events.putRule(env, scope, { name: 'log', busName: 'audit', eventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}', tags: [] });
      await events.putTargets(env, scope, 'audit', 'log', [{
        id: 'g', arn: 'arn:aws:logs:us-east-1:123456789012:log-group:big',
        inputTransformer: { pathsMap: { total: '$.detail.total', src: '$.source' }, template: '{"message":"<src> sold <total>"}' },
      }], () => undefined);

      const results = await events.putEvents(env, scope, [
        { source: 'shop', detailType: 'sale', detail: '{"total":250}' },
        { source: 'shop', detailType: 'sale', detail: '[1]' },
        { detailType: 'sale', detail: '{}' },
        { source: 'other', detailType: 'sale', detail: '{"total":500}' },
      ]);
      assert.ok('eventId' in results[0]! && 'eventId' in results[3]!);
      assert.deepEqual(results.slice(1, 3), [
        { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' },
        { errorCode: 'InvalidArgument', errorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      ]);
      const queued = await listDocs<events.DeliveryRecord>(env.store, events.keys.queue());
      assert.deepEqual(queued.map((d) => d.value.target.id).sort(), ['bus', 'lambda'], 'committed with PutEvents: two targets of the one matching rule');

      const logged: [string, string][] = [];
      const ports: events.EventTargetPorts = { deliverToLogGroup: async (arn, message) => { logged.push([arn, message]); } };
      for (let pass = 0; pass < 3; pass++) {
        for (const d of await listDocs<events.DeliveryRecord>(env.store, events.keys.queue())) await events.deliver(env, ports, d.value.id);
      }
      assert.deepEqual(logged, [['arn:aws:logs:us-east-1:123456789012:log-group:big', '{"message":"shop sold 250"}']]);
      assert.deepEqual(await listDocs(env.store, events.keys.queue()), []);
      const failed = await listDocs<events.FailedDeliveryRecord>(env.store, events.keys.failed(scope));
      assert.deepEqual(failed.map((d) => [d.value.targetId, d.value.reason]), [['lambda', 'Wharf does not deliver to lambda targets.']]);
      assert.equal((await listDocs(env.store, events.keys.deadLetters(scope))).length, 1);
    });


    it('PutEvents matches the rules as they are, when another replica changes them after this one cached them', async () => {
      const env = await setup();
      // Another replica: the same store, but not the same object, so it has a cache of its own.
      const replica = { ...env, store: new Proxy(env.store, { get: (t, p) => { const v = Reflect.get(t, p) as unknown; return typeof v === 'function' ? v.bind(t) : v; } }) };
      const target = (id: string) => [{ id, arn: `arn:aws:logs:us-east-1:123456789012:log-group:${id}` }];
      const matched = async () => {
        for (const d of await listDocs(env.store, events.keys.queue())) await env.store.txn([], [{ type: 'delete', key: d.key }]);
        await events.putEvents(env, scope, [{ source: 'shop', detailType: 'sale', detail: '{}' }]);
        return (await listDocs<events.DeliveryRecord>(env.store, events.keys.queue())).map((d) => d.value.target.id).sort();
      };
      await events.putRule(env, scope, { name: 'a', busName: 'default', eventPattern: '{"source":["shop"]}', tags: [] });
      await events.putTargets(env, scope, 'default', 'a', target('a'), () => undefined);
      assert.deepEqual(await matched(), ['a']);
      assert.deepEqual(await matched(), ['a'], 'read again from the cache');
      await events.putRule(replica, scope, { name: 'b', busName: 'default', eventPattern: '{"detail-type":["sale"]}', tags: [] });
      await events.putTargets(replica, scope, 'default', 'b', target('b'), () => undefined);
      assert.deepEqual(await matched(), ['a', 'b'], 'a rule the other replica added');
      await events.setRuleState(replica, scope, 'default', 'a', 'DISABLED');
      assert.deepEqual(await matched(), ['b'], 'a rule the other replica disabled');
      await events.removeTargets(replica, scope, 'default', 'b', ['b']);
      await events.deleteRule(replica, scope, 'default', 'b');
      assert.deepEqual(await matched(), [], 'a rule the other replica deleted');
    });
    it('a scheduled rule fires each due time once, also when two passes race', async () => {
      const env = await setup();
      await events.putRule(env, scope, { name: 'tick', busName: 'default', scheduleExpression: 'rate(1 minute)', tags: [] });
      await events.putTargets(env, scope, 'default', 'tick', [{ id: 'g', arn: 'arn:aws:logs:us-east-1:123456789012:log-group:ticks' }], () => undefined);
      assert.equal((await events.fireDueSchedules(env)).fired, 0);
      env.clock.advance(60_000);
      const [a, b] = await Promise.all([events.fireDueSchedules(env), events.fireDueSchedules(env)]);
      assert.equal(a.fired + b.fired, 1);
      assert.equal(a.nextDueAt, Date.UTC(2026, 0, 1, 0, 2));
      assert.equal((await events.fireDueSchedules(env)).fired, 0, 'a pass after a restart fires nothing again');
      env.clock.advance(60_000);
      assert.equal((await events.fireDueSchedules(env)).fired, 1);
      const queued = await listDocs<events.DeliveryRecord>(env.store, events.keys.queue());
      assert.deepEqual(queued.map((d) => [d.value.event['detail-type'], d.value.event.time]), [
        ['Scheduled Event', '2026-01-01T00:01:00Z'], ['Scheduled Event', '2026-01-01T00:02:00Z'],
      ]);
    });
  });
}

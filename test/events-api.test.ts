/**
 * EventBridge end to end, through @aws-sdk/client-eventbridge and the AWS CLI v2 against a
 * control plane in this process: buses, rules, targets, PutEvents with failed entries,
 * TestEventPattern, an event routed to another bus and onward to a log-group target whose
 * port is this test's (seeing the InputTransformer's result), and a rate(1 minute) schedule
 * on a virtual clock. The delivery and schedule loops run here on the control plane's store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventBusCommand, DeleteEventBusCommand, DeleteRuleCommand, DescribeEventBusCommand, DescribeRuleCommand, DisableRuleCommand, EventBridgeClient,
  ListEventBusesCommand, ListRuleNamesByTargetCommand, ListRulesCommand, ListTagsForResourceCommand, ListTargetsByRuleCommand, PutEventsCommand,
  PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand, TagResourceCommand, TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { randomIds } from '../src/common/index.ts';
import { EventsController } from '../src/controllers/index.ts';
import { VirtualTime } from '../src/controllers/virtual-time.testing.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused } from './support/in-process.ts';

// The test runs the controller itself, on a virtual clock.
const controlPlane = inProcessControlPlane({ leaderLoops: { events: false } });
let plane: ControlPlane;
let eb: EventBridgeClient;
const logged: { arn: string; message: string }[] = [];
let controller: EventsController | undefined;

before(async () => {
  plane = await controlPlane();
  eb = new EventBridgeClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
});
after(async () => {
  await controller?.close();
  eb?.destroy();
});

const { cli, cliFails } = awsCli(() => plane.url, 'events');
const arn = (resource: string) => `arn:aws:events:${region}:${ACCOUNT}:${resource}`;
const logGroup = (name: string) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`;

/** Starts the delivery and schedule loops on the control plane's store, on `time`. */
function startLoops(time: VirtualTime): EventsController {
  controller = new EventsController({
    store: plane.store, clock: time, timers: time, ids: randomIds,
    ports: { deliverToLogGroup: async (a, message) => { logged.push({ arn: a, message }); } },
  });
  controller.start();
  return controller;
}

async function waitFor<T>(what: () => T | undefined, label: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${label}`);
}

describe('EventBridge through the SDK and the AWS CLI', () => {
  it('buses: default and custom; describe, list, tags, delete', async () => {
    assert.equal((await eb.send(new DescribeEventBusCommand({}))).Arn, arn('event-bus/default'));
    const created = await eb.send(new CreateEventBusCommand({ Name: 'orders', Tags: [{ Key: 'team', Value: 'shop' }] }));
    assert.equal(created.EventBusArn, arn('event-bus/orders'));
    await refused(eb.send(new CreateEventBusCommand({ Name: 'orders' })), 'ResourceAlreadyExistsException', 'Event bus orders already exists.');
    const listed = await eb.send(new ListEventBusesCommand({}));
    assert.deepEqual(listed.EventBuses!.map((b) => b.Name), ['default', 'orders']);
    await eb.send(new TagResourceCommand({ ResourceARN: arn('event-bus/orders'), Tags: [{ Key: 'env', Value: 'dev' }] }));
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: arn('event-bus/orders') }))).Tags, [{ Key: 'team', Value: 'shop' }, { Key: 'env', Value: 'dev' }]);
    const bus = await cli('describe-event-bus', '--name', 'orders');
    assert.equal(bus.Name, 'orders');
    await eb.send(new CreateEventBusCommand({ Name: 'scratch' }));
    await eb.send(new DeleteEventBusCommand({ Name: 'scratch' }));
    await refused(eb.send(new DescribeEventBusCommand({ Name: 'scratch' })), 'ResourceNotFoundException', 'Event bus scratch does not exist.');
  });

  it('rules and targets: PutRule, DescribeRule, ListRules with paging, targets (at most five), DeleteRule refused while targeted', async () => {
    const put = await eb.send(new PutRuleCommand({ Name: 'big-orders', EventBusName: 'orders', EventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}', Description: 'big' }));
    assert.equal(put.RuleArn, arn('rule/orders/big-orders'));
    const described = await eb.send(new DescribeRuleCommand({ Name: 'big-orders', EventBusName: 'orders' }));
    assert.deepEqual([described.State, described.Description, described.EventBusName], ['ENABLED', 'big', 'orders']);
    await refused(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"x"}' })), 'InvalidEventPatternException', 'Event pattern is not valid. Reason: "source" must be an object or an array');
    await refused(eb.send(new PutRuleCommand({ Name: 'bad', ScheduleExpression: 'rate(5 minute)' })), 'ValidationException', 'Parameter ScheduleExpression is not valid.');
    await refused(eb.send(new PutRuleCommand({ Name: 'bad' })), 'ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    await refused(eb.send(new DescribeRuleCommand({ Name: 'none' })), 'ResourceNotFoundException', 'Rule none does not exist on EventBus default.');
    for (const n of ['a1', 'a2', 'a3']) await eb.send(new PutRuleCommand({ Name: n, EventPattern: '{"source":["x"]}', State: 'DISABLED' }));
    const page1 = await eb.send(new ListRulesCommand({ NamePrefix: 'a', Limit: 2 }));
    const page2 = await eb.send(new ListRulesCommand({ NamePrefix: 'a', Limit: 2, NextToken: page1.NextToken }));
    assert.deepEqual([...page1.Rules!, ...page2.Rules!].map((r) => r.Name), ['a1', 'a2', 'a3']);
    assert.equal(page2.NextToken, undefined);

    const six = [1, 2, 3, 4, 5, 6].map((i) => ({ Id: `t${i}`, Arn: logGroup(`g${i}`) }));
    await refused(eb.send(new PutTargetsCommand({ Rule: 'a1', Targets: six })), 'LimitExceededException');
    const bad = await eb.send(new PutTargetsCommand({ Rule: 'a1', Targets: [{ Id: 'both', Arn: logGroup('x'), Input: '{}', InputPath: '$.detail' }, ...six.slice(0, 2)] }));
    assert.deepEqual([bad.FailedEntryCount, bad.FailedEntries![0]!.TargetId], [1, 'both']);
    assert.deepEqual((await eb.send(new ListTargetsByRuleCommand({ Rule: 'a1' }))).Targets!.map((t) => t.Id), ['t1', 't2']);
    assert.deepEqual((await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: logGroup('g1') }))).RuleNames, ['a1']);
    await refused(eb.send(new DeleteRuleCommand({ Name: 'a1' })), 'ValidationException', 'Rule can\'t be deleted since it has targets.');
    await eb.send(new RemoveTargetsCommand({ Rule: 'a1', Ids: ['t1', 't2'] }));
    await eb.send(new DeleteRuleCommand({ Name: 'a1' }));
    assert.match(await cliFails('describe-rule', '--name', 'a1'), /ResourceNotFoundException/);
    await cli('disable-rule', '--name', 'a2');
    assert.equal((await cli('describe-rule', '--name', 'a2')).State, 'DISABLED');
  });

  it('TestEventPattern answers as the pattern language decides', async () => {
    const event = JSON.stringify({ id: '1', account: ACCOUNT, source: 'shop', time: '2026-01-01T00:00:00Z', region, 'detail-type': 'sale', resources: [], detail: { total: 250 } });
    assert.equal((await eb.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}', Event: event }))).Result, true);
    assert.equal((await eb.send(new TestEventPatternCommand({ EventPattern: '{"source":[{"prefix":"warehouse"}]}', Event: event }))).Result, false);
    await refused(eb.send(new TestEventPatternCommand({ EventPattern: '{"source":[{"numeric":5}]}', Event: event })), 'InvalidEventPatternException', 'Event pattern is not valid. Reason: Value of numeric must be an array.');
    assert.equal((await cli('test-event-pattern', '--event-pattern', '{"source":["shop"]}', '--event', event)).Result, true);
  });

  it('PutEvents: failed entries in place; an event routed to another bus and onward to a log group, with the InputTransformer\'s result', async () => {
    await eb.send(new PutRuleCommand({ Name: 'to-orders', EventPattern: '{"source":["shop"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'to-orders', Targets: [{ Id: 'bus', Arn: arn('event-bus/orders') }] }));
    await eb.send(new PutTargetsCommand({
      Rule: 'big-orders', EventBusName: 'orders',
      Targets: [{ Id: 'log', Arn: logGroup('big'), InputTransformer: { InputPathsMap: { total: '$.detail.total', type: '$.detail-type' }, InputTemplate: '{"message":"<type> of <total>","rule":"<aws.events.rule-name>"}' } }],
    }));
    startLoops(new VirtualTime(Date.now()));

    const result = await eb.send(new PutEventsCommand({
      Entries: [
        { Source: 'shop', DetailType: 'sale', Detail: '{"total":250}' },
        { Source: 'shop', DetailType: 'sale', Detail: 'not json' },
        { DetailType: 'sale', Detail: '{}' },
        { Source: 'shop', DetailType: 'sale', Detail: '{"total":5}' },
      ],
    }));
    assert.equal(result.FailedEntryCount, 2);
    assert.match(result.Entries![0]!.EventId!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(result.Entries!.slice(1, 3), [
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
    ]);
    const seen = await waitFor(() => logged.find((l) => l.arn === logGroup('big')), 'the log-group delivery');
    assert.deepEqual(JSON.parse(seen.message), { message: 'sale of 250', rule: 'big-orders' });
    await controller!.idle();
    assert.equal(logged.filter((l) => l.arn === logGroup('big')).length, 1, 'the small order matched no rule on the orders bus');
    await refused(eb.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' })) })), 'ValidationException');
    await refused(eb.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: JSON.stringify({ x: 'y'.repeat(262_144) }) }] })), 'ValidationException');
    const fromCli = await cli('put-events', '--entries', JSON.stringify([{ Source: 'cli', DetailType: 'd', Detail: '{}' }]));
    assert.equal(fromCli.FailedEntryCount, 0);
  });

  it('a rate(1 minute) schedule fires once a minute on the virtual clock', async () => {
    await controller?.close();
    await eb.send(new PutRuleCommand({ Name: 'tick', ScheduleExpression: 'rate(1 minute)' }));
    await eb.send(new PutTargetsCommand({ Rule: 'tick', Targets: [{ Id: 'log', Arn: logGroup('ticks'), InputPath: '$.detail-type' }] }));
    const time = new VirtualTime(Date.now());
    startLoops(time);
    const ticks = () => logged.filter((l) => l.arn === logGroup('ticks'));
    await time.advance(30_000);
    assert.equal(ticks().length, 0);
    await time.advance(31_000);
    await waitFor(() => (ticks().length >= 1 ? true : undefined), 'the first tick');
    await time.advance(60_000);
    await waitFor(() => (ticks().length >= 2 ? true : undefined), 'the second tick');
    assert.deepEqual(ticks().map((t) => t.message), ['"Scheduled Event"', '"Scheduled Event"']);
    await eb.send(new DisableRuleCommand({ Name: 'tick' }));
    await time.advance(120_000);
    await controller!.idle();
    assert.equal(ticks().length, 2, 'a disabled rule does not fire');
  });
});

/**
 * Scheduler's domain: local time in IANA zones across daylight-saving changes, expressions,
 * the cross-field rules naming their field, groups and schedules, and a due time firing once
 * also when two passes race.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, type Ids } from '../common/index.ts';
import { SqliteStore, listDocs } from '../state/index.ts';
import * as events from './index.ts';

const scope = { account: '123456789012', region: 'us-east-1' };
let n = 0;
const ids: Ids = { hex32: () => (++n).toString(16).padStart(32, '0'), uuid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` };
const NY = 'America/New_York';
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('local time in a zone', () => {
  it('reads and writes wall-clock time; a skipped local time has no instant, a repeated one two', () => {
    assert.equal(iso(events.toLocal(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Paris')), '2026-07-01T14:00:00.000Z');
    assert.equal(iso(events.fromLocal(Date.UTC(2026, 0, 15, 9), 'Europe/Paris')), '2026-01-15T08:00:00.000Z');
    assert.equal(events.isTimeZone('Mars/Olympus'), false);
    assert.equal(events.isTimeZone('Asia/Kolkata'), true);
    // 2026-03-08 02:30 does not exist in New York; 2026-11-01 01:30 happens twice (EDT, then EST).
    assert.equal(iso(events.fromLocal(Date.UTC(2026, 10, 1, 1, 30), NY)), '2026-11-01T05:30:00.000Z');
  });

  it('a cron in New York: skipped in the spring gap, once in the autumn overlap, on local time either side', () => {
    const gap = events.parseSchedulerExpression('cron(30 2 * * ? *)');
    assert.ok(gap.kind === 'cron');
    const spring = [Date.parse('2026-03-07T00:00:00Z')];
    for (let i = 0; i < 3; i++) spring.push(events.nextZonedCronTime(gap, spring.at(-1)!, NY)!);
    assert.deepEqual(spring.slice(1).map(iso), ['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
    const overlap = events.parseSchedulerExpression('cron(30 1 * * ? *)');
    assert.ok(overlap.kind === 'cron');
    const autumn = [Date.parse('2026-10-31T00:00:00Z')];
    for (let i = 0; i < 3; i++) autumn.push(events.nextZonedCronTime(overlap, autumn.at(-1)!, NY)!);
    assert.deepEqual(autumn.slice(1).map(iso), ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });
});

describe('schedule times', () => {
  const timing = (scheduleExpression: string, more: Partial<events.ScheduleRecord> = {}) => ({ scheduleExpression, updatedAt: Date.UTC(2026, 0, 1), ...more });
  it('at() once, in its zone; rate() from the write, or from StartDate (first at it); EndDate bounds', () => {
    assert.equal(iso(events.nextDueTime(timing('at(2026-01-01T09:00:00)', { timezone: 'Asia/Tokyo' }), -Infinity)), '2026-01-01T00:00:00.000Z');
    assert.equal(events.nextDueTime(timing('at(2026-01-01T09:00:00)', { timezone: 'Asia/Tokyo' }), Date.UTC(2026, 0, 1)), undefined);
    assert.equal(iso(events.nextDueTime(timing('rate(5 minutes)'), -Infinity)), '2026-01-01T00:05:00.000Z');
    const bounded = timing('rate(1 hour)', { startDate: Date.UTC(2026, 0, 2), endDate: Date.UTC(2026, 0, 2, 2) });
    const times = [events.nextDueTime(bounded, -Infinity)];
    while (times.at(-1) !== undefined) times.push(events.nextDueTime(bounded, times.at(-1)!));
    assert.deepEqual(times.map(iso), ['2026-01-02T00:00:00.000Z', '2026-01-02T01:00:00.000Z', '2026-01-02T02:00:00.000Z', undefined]);
    assert.throws(() => events.parseSchedulerExpression('at(2026-02-30T00:00:00)'));
  });

  it('a flexible window moves each invocation by a whole-second offset within it, the same on every computation', () => {
    const s = { flexibleTimeWindow: { mode: 'FLEXIBLE' as const, maximumWindowInMinutes: 15 }, seed: 'abc' };
    for (let due = 0; due < 200 * 60_000; due += 60_000) {
      const offset = events.flexibleOffset(s, due);
      assert.ok(offset >= 0 && offset < 15 * 60_000 && offset % 1000 === 0, `${offset}`);
      assert.equal(events.flexibleOffset({ ...s }, due), offset);
    }
    assert.notEqual(events.flexibleOffset(s, 0), events.flexibleOffset({ ...s, seed: 'abd' }, 0), 'another schedule, another offset');
    assert.equal(events.flexibleOffset({ flexibleTimeWindow: { mode: 'OFF' }, seed: 'abc' }, 0), 0);
  });
});

describe('Scheduler records', () => {
  const setup = () => ({ store: SqliteStore.open(':memory:'), clock: new ManualClock(Date.UTC(2026, 0, 1)), ids });
  const input = (more: Partial<events.ScheduleInput> = {}): events.ScheduleInput => ({
    name: 's', groupName: 'default', scheduleExpression: 'rate(1 minute)', state: 'ENABLED', flexibleTimeWindow: { mode: 'OFF' }, actionAfterCompletion: 'NONE',
    target: { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c', roleArn: 'arn:aws:iam::123456789012:role/r', ecsParameters: { taskDefinitionArn: 'td:1' } },
    ...more,
  });

  it('groups: default always; deleting a group deletes its schedules; names taken are conflicts', async () => {
    const env = setup();
    assert.deepEqual((await events.listScheduleGroups(env, scope)).map((g) => g.name), ['default']);
    await events.createScheduleGroup(env, scope, 'nightly', [{ key: 'team', value: 'a' }]);
    await assert.rejects(events.createScheduleGroup(env, scope, 'nightly', []), { code: 'ConflictException', status: 409 });
    await events.createSchedule(env, scope, input({ groupName: 'nightly' }));
    await assert.rejects(events.createSchedule(env, scope, input({ groupName: 'nightly' })), { code: 'ConflictException', message: 'Schedule s already exists.' });
    await assert.rejects(events.createSchedule(env, scope, input({ groupName: 'nope' })), { code: 'ResourceNotFoundException', message: 'Schedule group nope does not exist.' });
    await events.deleteScheduleGroup(env, scope, 'nightly');
    await assert.rejects(events.getSchedule(env, scope, 'nightly', 's'), { code: 'ResourceNotFoundException' });
    assert.deepEqual(await listDocs(env.store, events.schedulerKeys.everything()), []);
    await assert.rejects(events.deleteScheduleGroup(env, scope, 'default'), { code: 'ValidationException' });
    await assert.rejects(events.getSchedule(env, scope, 'default', 'x'), { code: 'ResourceNotFoundException', message: 'Schedule x does not exist.', status: 404 });
  });

  it('cross-field rules name their field', async () => {
    const env = setup();
    const refused = (more: Partial<events.ScheduleInput>, message: RegExp) => assert.rejects(events.createSchedule(env, scope, input(more)), { code: 'ValidationException', message });
    await refused({ scheduleExpression: 'rate(1 minutes)' }, /ScheduleExpression/);
    await refused({ timezone: 'Nowhere/Town' }, /ScheduleExpressionTimezone/);
    await refused({ flexibleTimeWindow: { mode: 'FLEXIBLE' } }, /MaximumWindowInMinutes/);
    await refused({ startDate: Date.UTC(2026, 1, 1), endDate: Date.UTC(2026, 0, 2) }, /StartDate/);
    await refused({ endDate: Date.UTC(2025, 0, 1) }, /EndDate/);
    await refused({ target: { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c', roleArn: 'r' } }, /EcsParameters/);
    await refused({ target: { ...input().target, input: '[1]' } }, /Target\.Input/);
  });

  it('a due time fires once, also when two passes race; at() with DELETE is gone after its invocation', async () => {
    const env = setup();
    await events.createSchedule(env, scope, input({ name: 'once', scheduleExpression: 'at(2026-01-01T00:00:30)', actionAfterCompletion: 'DELETE', target: { ...input().target, input: '{"containerOverrides":[]}' } }));
    await events.createSchedule(env, scope, input({ name: 'tick' }));
    assert.equal((await events.fireDueSchedulerSchedules(env)).fired, 0);
    env.clock.advance(60_000);
    const [a, b] = await Promise.all([events.fireDueSchedulerSchedules(env), events.fireDueSchedulerSchedules(env)]);
    assert.equal(a.fired + b.fired, 2, 'each schedule once');
    assert.equal((await events.fireDueSchedulerSchedules(env)).fired, 0, 'a pass after a restart fires nothing again');
    const queued = (await listDocs<events.DeliveryRecord>(env.store, events.keys.queue())).map((d) => d.value);
    assert.deepEqual(queued.map((d) => [d.target.id, d.event.time, d.principal, d.target.input]).sort(), [
      ['once', '2026-01-01T00:00:30Z', 'scheduler.amazonaws.com', '{"containerOverrides":[]}'],
      ['tick', '2026-01-01T00:01:00Z', 'scheduler.amazonaws.com', '{}'],
    ]);
    await assert.rejects(events.getSchedule(env, scope, 'default', 'once'), { code: 'ResourceNotFoundException' });
  });
});

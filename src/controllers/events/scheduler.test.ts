/**
 * Scheduler's schedules firing through EventsController on virtual time: each invocation reaches
 * the ECS port as `scheduler.amazonaws.com`, at the times its expression, zone, dates and
 * flexible window give, once each, also across a restart of the controller.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSchedule, getSchedule, type EcsRunTaskRequest, type ScheduleInput } from '../../events/index.ts';
import { SqliteStore } from '../../state/index.ts';
import { VirtualTime } from '../virtual-time.testing.ts';
import { EventsController } from './controller.ts';

const scope = { account: '123456789012', region: 'us-east-1' };
const MIN = 60_000;
const HOUR = 60 * MIN;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function harness(start: number) {
  const store = SqliteStore.open(':memory:');
  const time = new VirtualTime(start);
  let n = 0;
  const env = { store, clock: time, ids: { hex32: () => (++n).toString(16).padStart(32, '0'), uuid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` } };
  const calls: { at: string; request: EcsRunTaskRequest }[] = [];
  const ports = { runTask: async (request: EcsRunTaskRequest) => { calls.push({ at: new Date(time.now()).toISOString(), request }); } };
  let controller = new EventsController({ ...env, ports, timers: time, pollMs: HOUR });
  cleanup.push(() => store.close(), () => controller.close());
  const settle = async () => {
    await controller.idle();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    env, calls, time,
    start: () => controller.start(),
    advance: (ms: number) => time.advance(ms, settle),
    /** A control plane that stops and another that takes over, on the same store. */
    restart: async () => {
      await controller.close();
      controller = new EventsController({ ...env, ports, timers: time, pollMs: HOUR });
      controller.start();
      await settle();
    },
  };
}

const schedule = (name: string, more: Partial<ScheduleInput>): ScheduleInput => ({
  name, groupName: 'default', scheduleExpression: 'rate(5 minutes)', state: 'ENABLED', flexibleTimeWindow: { mode: 'OFF' }, actionAfterCompletion: 'NONE',
  target: { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/jobs', roleArn: 'arn:aws:iam::123456789012:role/scheduler', ecsParameters: { taskDefinitionArn: 'job:1' } },
  ...more,
});

describe('EventsController: Scheduler schedules', () => {
  it('rate(5 minutes) runs the task every five minutes as scheduler.amazonaws.com, once each across a restart', async () => {
    const h = harness(Date.UTC(2026, 0, 1));
    await createSchedule(h.env, scope, schedule('every-5', { target: { ...schedule('', {}).target, input: '{"containerOverrides":[{"name":"app","command":["<aws.scheduler.scheduled-time>"]}]}' } }));
    h.start();
    await h.advance(16 * MIN);
    assert.deepEqual(h.calls.map((c) => c.at), ['2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z', '2026-01-01T00:15:00.000Z']);
    const first = h.calls[0]!.request;
    assert.equal(first.principal, 'scheduler.amazonaws.com');
    assert.equal(first.startedBy, 'scheduler-schedule');
    assert.equal(first.input, '{"containerOverrides":[{"name":"app","command":["2026-01-01T00:05:00Z"]}]}', 'the Input, its context attributes filled in');
    await h.restart();
    await h.advance(MIN);
    assert.equal(h.calls.length, 3, 'a restart fires nothing twice');
    await h.advance(4 * MIN);
    assert.equal(h.calls.length, 4);
  });

  it('cron 02:30 in New York across both daylight-saving changes: skipped in the gap, once in the overlap', async () => {
    const h = harness(Date.UTC(2026, 2, 7));
    await createSchedule(h.env, scope, schedule('ny-0230', { scheduleExpression: 'cron(30 2 * * ? *)', timezone: 'America/New_York' }));
    await createSchedule(h.env, scope, schedule('ny-0130', { scheduleExpression: 'cron(30 1 1 11 ? *)', timezone: 'America/New_York' }));
    h.start();
    await h.advance(3 * 24 * HOUR);
    assert.deepEqual(h.calls.map((c) => c.at), ['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    h.calls.length = 0;
    await h.advance(Date.UTC(2026, 10, 2) - h.time.now());
    assert.deepEqual(h.calls.filter((c) => c.at.startsWith('2026-11-01')).map((c) => c.at), ['2026-11-01T05:30:00.000Z', '2026-11-01T07:30:00.000Z'],
      '01:30 EDT once (not again at 01:30 EST), 02:30 EST');
  });

  it('at() with ActionAfterCompletion DELETE runs once and is gone; StartDate to EndDate runs within them, then is deleted', async () => {
    const h = harness(Date.UTC(2026, 0, 1));
    await createSchedule(h.env, scope, schedule('once', { scheduleExpression: 'at(2026-01-01T09:00:00)', timezone: 'Europe/Paris', actionAfterCompletion: 'DELETE' }));
    await createSchedule(h.env, scope, schedule('window', {
      scheduleExpression: 'rate(1 hour)', startDate: Date.UTC(2026, 0, 1, 10), endDate: Date.UTC(2026, 0, 1, 12), actionAfterCompletion: 'DELETE',
    }));
    h.start();
    await h.advance(24 * HOUR);
    assert.deepEqual(h.calls.map((c) => c.at), ['2026-01-01T08:00:00.000Z', '2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
    await assert.rejects(getSchedule(h.env, scope, 'default', 'once'), { code: 'ResourceNotFoundException' });
    await assert.rejects(getSchedule(h.env, scope, 'default', 'window'), { code: 'ResourceNotFoundException' });
  });

  it('a flexible window fires each hourly invocation within 10 minutes after its time, once', async () => {
    const h = harness(Date.UTC(2026, 0, 1));
    await createSchedule(h.env, scope, schedule('flex', { scheduleExpression: 'cron(0 * * * ? *)', flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 10 } }));
    h.start();
    await h.advance(6 * HOUR + 30 * MIN);
    assert.equal(h.calls.length, 6);
    h.calls.forEach((c, i) => {
      const late = Date.parse(c.at) - Date.UTC(2026, 0, 1, i + 1);
      assert.ok(late >= 0 && late < 10 * MIN, `${c.at} within the window of hour ${i + 1}`);
    });
    assert.ok(new Set(h.calls.map((c) => Date.parse(c.at) % HOUR)).size > 1, 'the offset varies by due time');
  });
});

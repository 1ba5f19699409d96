/**
 * Schedule expressions on fixed dates: rate() from its anchor, AWS's cron examples (from the
 * EventBridge guide's "Schedule expressions for rules"), and the expressions AWS refuses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextFireTime, parseSchedule } from './schedule.ts';

const at = (iso: string) => Date.parse(iso);
const next = (expression: string, after: string, anchor = after) => {
  const t = nextFireTime(parseSchedule(expression), at(after), at(anchor));
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('rate()', () => {
  it('fires every period from its anchor', () => {
    assert.equal(next('rate(5 minutes)', '2026-01-01T00:00:00.000Z'), '2026-01-01T00:05:00.000Z');
    assert.equal(next('rate(5 minutes)', '2026-01-01T00:07:30.000Z', '2026-01-01T00:00:00.000Z'), '2026-01-01T00:10:00.000Z');
    assert.equal(next('rate(5 minutes)', '2026-01-01T00:10:00.000Z', '2026-01-01T00:00:00.000Z'), '2026-01-01T00:15:00.000Z', 'strictly after');
    assert.equal(next('rate(1 hour)', '2026-03-01T10:20:00.000Z'), '2026-03-01T11:20:00.000Z');
    assert.equal(next('rate(2 days)', '2026-03-01T10:20:00.000Z'), '2026-03-03T10:20:00.000Z');
    assert.equal(next('rate(1 minute)', '2026-01-01T00:00:30.000Z', '2026-01-01T00:00:00.000Z'), '2026-01-01T00:01:00.000Z');
  });
});

describe('cron()', () => {
  const cases: [string, string, string | undefined][] = [
    ['cron(0 12 * * ? *)', '2026-01-01T00:00:00Z', '2026-01-01T12:00:00.000Z'],
    ['cron(0 12 * * ? *)', '2026-01-01T12:00:00Z', '2026-01-02T12:00:00.000Z'],
    ['cron(15 10 ? * 6L 2026-2027)', '2026-01-01T00:00:00Z', '2026-01-30T10:15:00.000Z'],
    ['cron(0 18 ? * MON-FRI *)', '2026-01-02T19:00:00Z', '2026-01-05T18:00:00.000Z'],
    ['cron(0 8 1 * ? *)', '2026-01-01T08:00:00Z', '2026-02-01T08:00:00.000Z'],
    ['cron(0/10 * ? * MON-FRI *)', '2026-01-02T23:55:00Z', '2026-01-05T00:00:00.000Z'],
    ['cron(0/5 8-17 ? * MON-FRI *)', '2026-01-05T17:56:00Z', '2026-01-06T08:00:00.000Z'],
    ['cron(0 9 ? * 2#1 *)', '2026-01-01T00:00:00Z', '2026-01-05T09:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2026-02-01T00:00:00Z', '2026-02-28T00:00:00.000Z'],
    ['cron(0 0 LW * ? *)', '2026-05-01T00:00:00Z', '2026-05-29T00:00:00.000Z'],
    ['cron(0 0 1W * ? *)', '2026-02-01T00:00:00Z', '2026-02-02T00:00:00.000Z'],
    ['cron(0 0 1W * ? *)', '2026-07-15T00:00:00Z', '2026-08-03T00:00:00.000Z'],
    ['cron(30 1 29 FEB ? *)', '2026-01-01T00:00:00Z', '2028-02-29T01:30:00.000Z'],
    ['cron(0 0 1 1 ? 2025)', '2026-01-01T00:00:00Z', undefined],
    ['cron(5,35 14 * * ? *)', '2026-01-01T14:05:00Z', '2026-01-01T14:35:00.000Z'],
  ];
  for (const [expression, after, expected] of cases) {
    it(`${expression} after ${after} → ${expected}`, () => assert.equal(next(expression, after), expected));
  }
});

describe('expressions AWS refuses', () => {
  for (const bad of [
    'rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(-1 minutes)', 'rate(5 weeks)', 'rate(5minutes)',
    'cron(0 12 * * * *)', 'cron(0 12 ? * ? *)', 'cron(0 12 * * ?)', 'cron(60 12 * * ? *)', 'cron(0 24 * * ? *)',
    'cron(0 12 32 * ? *)', 'cron(0 12 * 13 ? *)', 'cron(0 12 ? * 8 *)', 'cron(0 12 * * ? 1969)', 'cron(0 5-3 * * ? *)', 'every day', '',
  ]) {
    it(bad || '(empty)', () => assert.throws(() => parseSchedule(bad), { name: 'ScheduleError', message: 'Parameter ScheduleExpression is not valid.' }));
  }
});

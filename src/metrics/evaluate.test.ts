import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateAlarm, javaDouble, type EvaluatedAlarm } from './evaluate.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 2, 12, 10, 4, 30);
const at = (hh: number, mm: number) => Date.UTC(2026, 2, 12, hh, mm);
const alarm = (over: Partial<EvaluatedAlarm> = {}): EvaluatedAlarm => ({
  period: 60, evaluationPeriods: 3, threshold: 70, comparisonOperator: 'GreaterThanThreshold', state: 'OK', statistic: 'Average', ...over,
});

describe('evaluateAlarm', () => {
  it('3 of 3 breaching: ALARM, with AWS\'s reason (most recent first, dd/MM/yy) and reason data', () => {
    const points = [{ timestamp: at(10, 1), value: 90.5 }, { timestamp: at(10, 2), value: 80 }, { timestamp: at(10, 3), value: 75.25 }];
    const e = evaluateAlarm(alarm(), points, NOW);
    assert.equal(e.state, 'ALARM');
    assert.equal(e.reason, 'Threshold Crossed: 3 out of the last 3 datapoints [75.25 (12/03/26 10:03:00), 80.0 (12/03/26 10:02:00), 90.5 (12/03/26 10:01:00)] '
      + 'were greater than the threshold (70.0) (minimum 3 datapoints for OK -> ALARM transition).');
    const data = JSON.parse(e.reasonData);
    assert.deepEqual([data.version, data.statistic, data.period, data.threshold, data.recentDatapoints], ['1.0', 'Average', 60, 70, [90.5, 80, 75.25]]);
    assert.equal(data.queryDate, '2026-03-12T10:04:30.000+0000');
    assert.equal(data.startDate, '2026-03-12T10:01:00.000+0000');
  });

  it('a datapoint in the period still under way is not evaluated; M of N counts breaching ones', () => {
    const points = [{ timestamp: at(10, 2), value: 50 }, { timestamp: at(10, 3), value: 71 }, { timestamp: at(10, 4), value: 99 }];
    assert.equal(evaluateAlarm(alarm(), points, NOW).state, 'OK');
    const e = evaluateAlarm(alarm({ evaluationPeriods: 2, datapointsToAlarm: 1 }), points, NOW);
    assert.equal(e.state, 'ALARM');
    assert.equal(e.reason, 'Threshold Crossed: 1 out of the last 2 datapoints [71.0 (12/03/26 10:03:00)] was greater than the threshold (70.0) (minimum 1 datapoint for OK -> ALARM transition).');
    const ok = evaluateAlarm(alarm({ evaluationPeriods: 1, state: 'ALARM', comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 80 }), points, NOW);
    assert.equal(ok.reason, 'Threshold Crossed: 1 out of the last 1 datapoints [71.0 (12/03/26 10:03:00)] was not greater than or equal to the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).');
  });

  it('no datapoints: TreatMissingData decides', () => {
    assert.deepEqual(
      ['missing', 'ignore', 'breaching', 'notBreaching'].map((t) => evaluateAlarm(alarm({ treatMissingData: t as never, state: 'ALARM' }), [], NOW).state),
      ['INSUFFICIENT_DATA', 'ALARM', 'ALARM', 'OK'],
    );
    assert.equal(evaluateAlarm(alarm({ treatMissingData: 'breaching' }), [], NOW).reason,
      'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].');
    assert.equal(evaluateAlarm(alarm({ evaluationPeriods: 1, treatMissingData: 'notBreaching' }), [], NOW).reason,
      'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].');
    assert.equal(evaluateAlarm(alarm(), [], NOW).reason, 'Insufficient Data: 3 datapoints were unknown.');
  });

  it('some datapoints missing: breaching fills them in; notBreaching does not; missing counts them only when all present breach', () => {
    const one = [{ timestamp: at(10, 3), value: 90 }];
    assert.equal(evaluateAlarm(alarm({ treatMissingData: 'breaching' }), one, NOW).state, 'ALARM');
    assert.equal(evaluateAlarm(alarm({ treatMissingData: 'notBreaching' }), one, NOW).state, 'OK');
    assert.equal(evaluateAlarm(alarm(), one, NOW).state, 'ALARM');
    assert.equal(evaluateAlarm(alarm(), [...one, { timestamp: at(10, 2), value: 10 }], NOW).state, 'OK');
    assert.equal(evaluateAlarm(alarm({ comparisonOperator: 'LessThanThreshold' }), [{ timestamp: at(10, 3), value: 10 }], NOW - MIN).state, 'INSUFFICIENT_DATA', 'in the period under way');
  });

  it('prints numbers as Java does', () => {
    assert.deepEqual([70, 90.5, 0, -3, 1e-7].map(javaDouble), ['70.0', '90.5', '0.0', '-3.0', '1e-7']);
  });
});

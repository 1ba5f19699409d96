/**
 * Alarm evaluation, pure: `evaluateAlarm(alarm, datapoints, now)` → the state the alarm should
 * be in, with AWS's reason text and reason data. The window is the last EvaluationPeriods
 * complete periods before `now`; an alarm goes to ALARM when DatapointsToAlarm (default: all)
 * of them breach. Missing datapoints are treated as TreatMissingData says: `breaching`,
 * `notBreaching`, `ignore` (the state is kept when nothing is there), `missing` (the default:
 * INSUFFICIENT_DATA when nothing is there; otherwise the datapoints there decide, the missing
 * ones counting as breaching only when every datapoint there breaches).
 */
import type { AlarmRecord, AlarmState } from './records.ts';

/** One period's value of the alarm's metric (or expression). */
export interface Datapoint {
  timestamp: number;
  value: number;
}

/** What evaluation decides. */
export interface Evaluation {
  state: AlarmState;
  reason: string;
  reasonData: string;
}

/** The alarm settings evaluation reads. */
export type EvaluatedAlarm = Pick<AlarmRecord, 'evaluationPeriods' | 'datapointsToAlarm' | 'threshold' | 'comparisonOperator' | 'treatMissingData' | 'state' | 'statistic' | 'extendedStatistic' | 'unit'> & {
  /** The period of the alarm's metric or returning expression, in seconds. */
  period: number;
};

const PHRASES: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** The comparison operators evaluated against a static threshold. */
export const STATIC_OPERATORS = Object.keys(PHRASES);

function breaches(op: string, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'GreaterThanThreshold': return value > threshold;
    case 'LessThanThreshold': return value < threshold;
    default: return value <= threshold;
  }
}

/** A double as Java prints it, as AWS's reasons show numbers: `70.0`, `90.5`. */
export function javaDouble(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e7 ? v.toFixed(1) : String(v);
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `dd/MM/yy HH:mm:ss` in UTC, as the reasons date datapoints. */
const reasonDate = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
/** `2024-07-25T07:21:00.000+0000`, the reason data's time format. */
export const reasonDataDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Evaluates the alarm over the datapoints it was given (any outside its window are not looked at). */
export function evaluateAlarm(alarm: EvaluatedAlarm, datapoints: readonly Datapoint[], now: number): Evaluation {
  const periodMs = alarm.period * 1000;
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm ?? n;
  const threshold = alarm.threshold ?? 0;
  const end = Math.floor(now / periodMs) * periodMs;
  const start = end - n * periodMs;
  const byTime = new Map(datapoints.filter((d) => d.timestamp >= start && d.timestamp < end).map((d) => [Math.floor(d.timestamp / periodMs) * periodMs, d]));
  // Most recent first, as the reasons list them.
  const window: (Datapoint | undefined)[] = [];
  for (let t = end - periodMs; t >= start; t -= periodMs) window.push(byTime.get(t));
  const present = window.filter((d): d is Datapoint => d !== undefined);
  const breaching = present.filter((d) => breaches(alarm.comparisonOperator, d.value, threshold));
  const missing = n - present.length;
  const treat = alarm.treatMissingData ?? 'missing';
  const data = {
    version: '1.0',
    queryDate: reasonDataDate(now),
    ...(present.length ? { startDate: reasonDataDate(present[present.length - 1]!.timestamp) } : {}),
    ...(alarm.unit ? { unit: alarm.unit } : {}),
    ...(alarm.extendedStatistic ? { statistic: alarm.extendedStatistic } : alarm.statistic ? { statistic: alarm.statistic } : {}),
    period: alarm.period,
    recentDatapoints: [...present].reverse().map((d) => d.value),
    threshold,
    ...(present.length ? { evaluatedDatapoints: present.map((d) => ({ timestamp: reasonDataDate(d.timestamp), value: d.value })) } : {}),
  };
  const reasonData = JSON.stringify(data);
  const phrase = PHRASES[alarm.comparisonOperator] ?? alarm.comparisonOperator;
  const from = alarm.state;

  if (present.length === 0) {
    if (treat === 'breaching' || treat === 'notBreaching') {
      const how = treat === 'breaching' ? 'Breaching' : 'NonBreaching';
      const reason = `Threshold Crossed: no datapoints were received for ${plural(n, 'period')} and ${plural(n, 'missing datapoint')} ${n === 1 ? 'was' : 'were'} treated as [${how}].`;
      return { state: treat === 'breaching' && m <= n ? 'ALARM' : 'OK', reason, reasonData };
    }
    if (treat === 'ignore') return { state: from, reason: 'Unchecked: no datapoints were received and missing data is ignored.', reasonData };
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`, reasonData };
  }

  const missingBreach = treat === 'breaching' || ((treat === 'missing' || treat === 'ignore') && breaching.length === present.length);
  const counted = breaching.length + (missingBreach ? missing : 0);
  const list = (ds: Datapoint[]) => `[${ds.map((d) => `${javaDouble(d.value)} (${reasonDate(d.timestamp)})`).join(', ')}]`;
  if (counted >= m) {
    const reason = `Threshold Crossed: ${breaching.length} out of the last ${plural(present.length, 'datapoint').replace(/^1 datapoint$/, '1 datapoints')} ${list(breaching)} `
      + `${breaching.length === 1 ? 'was' : 'were'} ${phrase} the threshold (${javaDouble(threshold)}) (minimum ${plural(m, 'datapoint')} for ${from === 'ALARM' ? 'OK' : from} -> ALARM transition).`;
    return { state: 'ALARM', reason, reasonData };
  }
  const calm = present.filter((d) => !breaching.includes(d));
  const needed = n - m + 1;
  const reason = `Threshold Crossed: ${calm.length} out of the last ${plural(present.length, 'datapoint').replace(/^1 datapoint$/, '1 datapoints')} ${list(calm)} `
    + `${calm.length === 1 ? 'was' : 'were'} not ${phrase} the threshold (${javaDouble(threshold)}) (minimum ${plural(needed, 'datapoint')} for ${from === 'OK' ? 'ALARM' : from} -> OK transition).`;
  return { state: 'OK', reason, reasonData };
}

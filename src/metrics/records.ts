/**
 * Metrics and alarms as stored (see docs/metrics.md). A series — namespace, metric name and
 * its dimensions sorted by name — has one record, and one aggregate row per unit per time
 * bucket: 1-minute rows (holding their 1-second aggregates while high-resolution data is
 * kept), rolled up into 5-minute and then 1-hour rows as they age. Times are epoch ms.
 */
import { createHash } from 'node:crypto';
import type { Aggregate } from './aggregate.ts';

/** Every metric and alarm belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A dimension of a series. */
export interface Dimension {
  name: string;
  value: string;
}

/** A metric's identity. */
export interface SeriesId {
  namespace: string;
  metricName: string;
  /** Sorted by name. */
  dimensions: Dimension[];
}

/** A series' record: what ListMetrics lists. */
export interface SeriesRecord extends SeriesId {
  /** When a datapoint was last put (RecentlyActive). */
  lastPutAt: number;
}

/** The resolutions rows are kept at, in seconds. */
export type Resolution = 60 | 300 | 3600;
export const RESOLUTIONS: readonly Resolution[] = [60, 300, 3600];

/** One row: the aggregate of one series in one unit over one bucket of its resolution. */
export interface DataRow {
  agg: Aggregate;
  /** 1-minute rows of high-resolution data: second of the minute (0–59) → its aggregate, until 3 hours old. */
  seconds?: Record<string, Aggregate>;
}

/** The series with its dimensions sorted by name, as it is keyed. */
export const canonical = (s: SeriesId): SeriesId => ({
  namespace: s.namespace, metricName: s.metricName, dimensions: [...s.dimensions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
});

/** A series' key part: a digest of its canonical form (names and values may hold any character). */
export function seriesKey(s: SeriesId): string {
  const c = canonical(s);
  return createHash('sha256').update(JSON.stringify([c.namespace, c.metricName, c.dimensions.map((d) => [d.name, d.value])])).digest('hex').slice(0, 32);
}

/** Time in keys: fixed width, so key order is time order. */
const at = (ms: number) => String(ms).padStart(15, '0');

/** Where metrics and alarms live. */
export const metricKeys = {
  allSeries: (s: Scope) => `metrics/${s.account}/${s.region}/series/`,
  series: (s: Scope, id: string) => `metrics/${s.account}/${s.region}/series/${id}`,
  rows: (s: Scope, id: string, res: Resolution) => `metrics/${s.account}/${s.region}/data/${id}/${res}/`,
  row: (s: Scope, id: string, res: Resolution, start: number, unit: string) => `metrics/${s.account}/${s.region}/data/${id}/${res}/${at(start)}/${unit}`,
  /** Every scope's rows, for the retention pass. */
  allData: 'metrics/',
  /** Alarms apart from the data, so the alarm controller lists them without the rows. */
  allAlarms: 'alarms/',
  alarms: (s: Scope) => `alarms/${s.account}/${s.region}/`,
  alarm: (s: Scope, name: string) => `alarms/${s.account}/${s.region}/${name}`,
  history: (s: Scope) => `metrics/${s.account}/${s.region}/history/`,
  historyItem: (s: Scope, time: number, id: string) => `metrics/${s.account}/${s.region}/history/${at(time)}/${id}`,
};

/** Reads a row key's resolution, start and unit (`…/data/<id>/<res>/<start>/<unit>`). */
export function parseRowKey(key: string): { prefix: string; res: Resolution; start: number; unit: string } | undefined {
  const m = /^(metrics\/[^/]+\/[^/]+\/data\/[0-9a-f]+\/)(60|300|3600)\/(\d{15})\/(.+)$/.exec(key);
  return m ? { prefix: m[1]!, res: Number(m[2]) as Resolution, start: Number(m[3]), unit: m[4]! } : undefined;
}

/** The scope and name of an alarm key (`alarms/<account>/<region>/<name>`). */
export function parseAlarmKey(key: string): { scope: Scope; name: string } | undefined {
  const m = /^alarms\/([^/]+)\/([^/]+)\/(.+)$/.exec(key);
  return m ? { scope: { account: m[1]!, region: m[2]! }, name: m[3]! } : undefined;
}

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`. */
export const alarmArn = (s: Scope, name: string): string => `arn:aws:cloudwatch:${s.region}:${s.account}:alarm:${name}`;

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

/** One query of a metric-math alarm (or GetMetricData). */
export interface MetricQuery {
  id: string;
  metricStat?: { metric: SeriesId; period: number; stat: string; unit?: string };
  expression?: string;
  label?: string;
  returnData?: boolean;
  period?: number;
}

/** A metric alarm: its settings as PutMetricAlarm gave them, and its state. */
export interface AlarmRecord {
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  /** A single-metric alarm's metric, statistic and period. */
  metric?: SeriesId;
  statistic?: string;
  extendedStatistic?: string;
  unit?: string;
  period?: number;
  /** A metric-math alarm's queries (one of them returns data). */
  metrics?: MetricQuery[];
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparisonOperator: string;
  treatMissingData?: TreatMissingData;
  evaluateLowSampleCountPercentile?: string;
  tags: { key: string; value: string }[];
  configurationUpdatedAt: number;
  state: AlarmState;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedAt: number;
  stateTransitionedAt: number;
}

/** One entry of an alarm's history. */
export interface HistoryRecord {
  alarmName: string;
  alarmType: 'MetricAlarm';
  timestamp: number;
  type: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  summary: string;
  data: string;
}

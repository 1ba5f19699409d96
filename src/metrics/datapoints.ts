/**
 * PutMetricData's writes: each datum becomes an aggregate merged into its series' 1-minute row
 * (and, for high-resolution data, that row's 1-second aggregate), never a row per datapoint.
 * Rows are committed in batches, each one transaction guarded on the rows it read, so
 * concurrent writers of the same minute add up rather than overwrite.
 */
import type { Clock } from '../common/index.ts';
import { transact, type Store } from '../state/index.ts';
import { merge, ofStatisticSet, ofValue, type Aggregate } from './aggregate.ts';
import { MetricsErrors } from './errors.ts';
import { canonical, metricKeys, seriesKey, type DataRow, type Scope, type SeriesId, type SeriesRecord } from './records.ts';

/** What the metrics domain runs on. */
export interface MetricsEnv {
  store: Store;
  clock: Clock;
}

/** One datum of PutMetricData, as the adapter read it. */
export interface Datum {
  metricName: string;
  dimensions: { name: string; value: string }[];
  timestamp?: number;
  value?: number;
  values?: number[];
  counts?: number[];
  statisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  unit?: string;
  storageResolution?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Keys a batch writes at most: etcd takes 128 operations (compares and writes) in one transaction. */
const BATCH = 40;
/** AWS's range for a value: −2^360 to 2^360. */
const LIMIT = 2 ** 360;
const MAX_VALUES = 150;

const checkValue = (v: number, parameter: string) => {
  if (!Number.isFinite(v) || Math.abs(v) > LIMIT) throw MetricsErrors.invalidParameter(v, parameter);
};

/** The datum's aggregate, refusing what AWS refuses (both Value and StatisticValues, Values and Counts of different sizes, ...). */
function aggregateOf(d: Datum, at: string): Aggregate | undefined {
  const given = [d.value !== undefined, d.values !== undefined, d.statisticValues !== undefined].filter(Boolean).length;
  if (given > 1) {
    const names = [d.value !== undefined && 'Value', d.values !== undefined && 'Values', d.statisticValues !== undefined && 'StatisticValues'].filter(Boolean);
    throw MetricsErrors.combination(`The parameters ${at}.${names[0]} and ${at}.${names[1]} are mutually exclusive and you have specified both.`);
  }
  if (d.value !== undefined) {
    checkValue(d.value, `${at}.Value`);
    return ofValue(d.value);
  }
  if (d.statisticValues) {
    const s = d.statisticValues;
    for (const [k, v] of Object.entries(s)) checkValue(v, `${at}.StatisticValues.${k}`);
    if (s.SampleCount <= 0) throw MetricsErrors.invalidParameter(s.SampleCount, `${at}.StatisticValues.SampleCount`);
    if (s.Minimum > s.Maximum) throw MetricsErrors.invalidValue(`The parameter ${at}.StatisticValues.Minimum must be less than or equal to ${at}.StatisticValues.Maximum.`);
    return ofStatisticSet(s);
  }
  if (d.values) {
    if (d.values.length > MAX_VALUES) throw MetricsErrors.invalidValue(`The collection ${at}.Values must not have a size greater than ${MAX_VALUES}.`);
    if (d.counts && d.counts.length !== d.values.length) {
      throw MetricsErrors.invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    }
    let agg: Aggregate | undefined;
    d.values.forEach((v, i) => {
      checkValue(v, `${at}.Values.member.${i + 1}`);
      const count = d.counts?.[i] ?? 1;
      if (!(count >= 0) || !Number.isFinite(count)) throw MetricsErrors.invalidParameter(count, `${at}.Counts.member.${i + 1}`);
      if (count > 0) agg = merge(agg, ofValue(v, count));
    });
    return agg;
  }
  if (d.counts) throw MetricsErrors.combination(`The parameter ${at}.Counts may only be specified with ${at}.Values.`);
  throw MetricsErrors.missing(`The parameter ${at}.Value, ${at}.Values or ${at}.StatisticValues is required.`);
}

/**
 * Validates every datum first (nothing is written when one is refused), then merges them into
 * their rows. `AWS/` namespaces are AWS's own and refused, as AWS does.
 */
export async function putMetricData(env: MetricsEnv, scope: Scope, namespace: string, data: Datum[]): Promise<void> {
  if (namespace.startsWith('AWS/')) throw MetricsErrors.invalidParameter(namespace, 'Namespace');
  return publishMetricData(env, scope, namespace, data);
}

/** What AWS's services publish in their own `AWS/` namespaces (ECS's utilization): written as PutMetricData writes. */
export async function publishMetricData(env: MetricsEnv, scope: Scope, namespace: string, data: Datum[]): Promise<void> {
  const now = env.clock.now();
  const rows = new Map<string, { seriesId: string; series: SeriesId; row: DataRow }>();
  data.forEach((d, i) => {
    const at = `MetricData.member.${i + 1}`;
    const ts = d.timestamp ?? now;
    if (ts < now - 14 * DAY || ts > now + 2 * 3_600_000) {
      throw MetricsErrors.invalidValue(`The parameter ${at}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.`);
    }
    if (d.storageResolution !== undefined && d.storageResolution !== 1 && d.storageResolution !== 60) {
      throw MetricsErrors.invalidParameter(d.storageResolution, `${at}.StorageResolution`);
    }
    const names = new Set<string>();
    for (const dim of d.dimensions) {
      if (names.has(dim.name)) throw MetricsErrors.invalidValue(`The collection ${at}.Dimensions must not have duplicate dimension names.`);
      names.add(dim.name);
    }
    const agg = aggregateOf(d, at);
    if (!agg) return;
    const series = canonical({ namespace, metricName: d.metricName, dimensions: d.dimensions });
    const seriesId = seriesKey(series);
    const minute = Math.floor(ts / MINUTE) * MINUTE;
    const key = metricKeys.row(scope, seriesId, 60, minute, d.unit ?? 'None');
    const entry = rows.get(key) ?? { seriesId, series, row: { agg } };
    if (rows.has(key)) entry.row.agg = merge(entry.row.agg, agg);
    if (d.storageResolution === 1) {
      const second = String(Math.floor((ts - minute) / 1000));
      entry.row.seconds ??= {};
      entry.row.seconds[second] = merge(entry.row.seconds[second], agg);
    }
    rows.set(key, entry);
  });
  const entries = [...rows];
  for (let i = 0; i < entries.length; i += BATCH) await commitRows(env.store, scope, entries.slice(i, i + BATCH), now);
}

/** Merges one batch of rows into the stored ones and marks their series active, in one transaction. */
async function commitRows(store: Store, scope: Scope, batch: [string, { seriesId: string; series: SeriesId; row: DataRow }][], now: number): Promise<void> {
  await transact(store, async (tx) => {
    const touched = new Map<string, SeriesId>();
    for (const [key, { seriesId, series, row }] of batch) {
      const stored = await tx.get<DataRow>(key);
      const next: DataRow = { agg: merge(stored?.agg, row.agg) };
      const seconds = { ...stored?.seconds };
      for (const [s, a] of Object.entries(row.seconds ?? {})) seconds[s] = merge(seconds[s], a);
      if (Object.keys(seconds).length) next.seconds = seconds;
      tx.put(key, next);
      touched.set(seriesId, series);
    }
    // The series record is written blind: its only changing field is the last put's time.
    for (const [id, series] of touched) tx.put<SeriesRecord>(metricKeys.series(scope, id), { ...series, lastPutAt: now });
  });
}

/**
 * Reading metrics back: a series' rows over a time range, at every resolution they are kept
 * at, binned into the periods asked for (1-second aggregates where a period is under a minute
 * and they are still kept); and ListMetrics' filters over the series records.
 */
import { listDocs, type Store } from '../state/index.ts';
import { merge, statistic, type Aggregate } from './aggregate.ts';
import { canonical, metricKeys, parseRowKey, RESOLUTIONS, seriesKey, type DataRow, type Scope, type SeriesId, type SeriesRecord } from './records.ts';

/** What to read: `[start, end)`, binned by `period` seconds; only `unit`'s rows when given. */
export interface SeriesRange {
  start: number;
  end: number;
  period: number;
  unit?: string;
}

/** One period's aggregate. */
export interface Bin {
  /** The period's start. */
  timestamp: number;
  agg: Aggregate;
  /** The unit of its values (`None` when several were put). */
  unit: string;
}

const at = (ms: number) => String(Math.max(0, ms)).padStart(15, '0');

/** The series' aggregates per period over the range, in time order. */
export async function readSeries(store: Store, scope: Scope, series: SeriesId, range: SeriesRange): Promise<Bin[]> {
  const id = seriesKey(series);
  const periodMs = range.period * 1000;
  const bins = new Map<number, Bin>();
  const add = (t: number, agg: Aggregate, unit: string) => {
    if (t < range.start || t >= range.end) return;
    // Periods count from the start asked for, as CloudWatch's do.
    const timestamp = range.start + Math.floor((t - range.start) / periodMs) * periodMs;
    const bin = bins.get(timestamp);
    if (!bin) bins.set(timestamp, { timestamp, agg, unit });
    else bins.set(timestamp, { timestamp, agg: merge(bin.agg, agg), unit: bin.unit === unit ? unit : 'None' });
  };
  for (const res of RESOLUTIONS) {
    const prefix = metricKeys.rows(scope, id, res);
    // Rows from the start of the bucket holding `start` ('0' sorts after the '/' that follows a start time).
    let startAfter = `${prefix}${at(Math.floor(range.start / (res * 1000)) * res * 1000 - 1)}0`;
    for (;;) {
      const page = await store.range(prefix, { startAfter, limit: 500 });
      let past = false;
      for (const kv of page.kvs) {
        const parsed = parseRowKey(kv.key);
        if (!parsed) continue;
        if (parsed.start >= range.end) {
          past = true;
          break;
        }
        if (range.unit !== undefined && parsed.unit !== range.unit) continue;
        const row = JSON.parse(kv.value) as DataRow;
        if (range.period < 60 && row.seconds) {
          for (const [s, agg] of Object.entries(row.seconds)) add(parsed.start + Number(s) * 1000, agg, parsed.unit);
        } else {
          add(Math.max(parsed.start, range.start), row.agg, parsed.unit);
        }
      }
      if (past || !page.more || page.kvs.length === 0) break;
      startAfter = page.kvs[page.kvs.length - 1]!.key;
    }
  }
  return [...bins.values()].sort((a, b) => a.timestamp - b.timestamp);
}

/** One statistic of each bin that has it: a series of (timestamp, value). */
export function statisticSeries(bins: Bin[], stat: string): { timestamps: number[]; values: number[] } {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (const b of bins) {
    const v = statistic(b.agg, stat);
    if (v === undefined) continue;
    timestamps.push(b.timestamp);
    values.push(v);
  }
  return { timestamps, values };
}

/** ListMetrics' filters. */
export interface MetricFilter {
  namespace?: string;
  metricName?: string;
  /** Each must be present; a dimension without a value matches any value. */
  dimensions?: { name: string; value?: string }[];
  /** Only series with a datapoint put since this time. */
  activeSince?: number;
}

/** The series matching the filter, in a stable order (namespace, name, dimensions). */
export async function listMetrics(store: Store, scope: Scope, filter: MetricFilter): Promise<SeriesRecord[]> {
  const all = (await listDocs<SeriesRecord>(store, metricKeys.allSeries(scope))).map((d) => d.value);
  const keyOf = (s: SeriesRecord) => JSON.stringify([s.namespace, s.metricName, s.dimensions.map((d) => [d.name, d.value])]);
  return all.filter((s) => (filter.namespace === undefined || s.namespace === filter.namespace)
    && (filter.metricName === undefined || s.metricName === filter.metricName)
    && (filter.activeSince === undefined || s.lastPutAt >= filter.activeSince)
    && (filter.dimensions ?? []).every((f) => s.dimensions.some((d) => d.name === f.name && (f.value === undefined || d.value === f.value))))
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

/** The series as keyed (its dimensions sorted). */
export const seriesOf = (namespace: string, metricName: string, dimensions: { name: string; value: string }[]): SeriesId =>
  canonical({ namespace, metricName, dimensions });

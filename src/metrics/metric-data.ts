/**
 * GetMetricData's core, shared with metric-math alarms: each MetricStat query read as a
 * series of one statistic per period, each expression computed over the results of the queries
 * it names (in dependency order), and the ones that return data returned.
 */
import type { Store } from '../state/index.ts';
import { MetricsErrors } from './errors.ts';
import { computeExpression, parseExpression, referencedIds, type Series } from './math.ts';
import { readSeries, statisticSeries } from './query.ts';
import type { MetricQuery, Scope } from './records.ts';

/** One query's result. */
export interface QueryResult {
  id: string;
  label: string;
  timestamps: number[];
  values: number[];
}

/** The label CloudWatch gives a MetricStat query without one: its metric name (and the stat where it is not the default). */
const defaultLabel = (q: MetricQuery) => q.label ?? q.metricStat?.metric.metricName ?? q.id;

/** Queries in an order where each expression follows the queries it names; refuses unknown ids and cycles. */
function ordered(queries: MetricQuery[]): MetricQuery[] {
  const byId = new Map(queries.map((q) => [q.id, q]));
  const out: MetricQuery[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (q: MetricQuery) => {
    if (state.get(q.id) === 'done') return;
    if (state.get(q.id) === 'visiting') throw MetricsErrors.validation(`Circular dependency detected at metric id ${q.id}.`);
    state.set(q.id, 'visiting');
    if (q.expression !== undefined) {
      let refs: string[];
      try {
        refs = referencedIds(parseExpression(q.expression));
      } catch (error) {
        throw MetricsErrors.validation(`Error in expression ${q.id}: ${(error as Error).message}`);
      }
      for (const ref of refs) {
        const dep = byId.get(ref);
        if (dep) visit(dep);
        else if (!['REPEAT', 'LINEAR'].includes(ref.toUpperCase())) throw MetricsErrors.validation(`Error in expression ${q.id}: Unrecognized metric or expression id: ${ref}.`);
      }
      // METRICS() reads every MetricStat query.
      if (/METRICS\s*\(/i.test(q.expression)) for (const other of queries) if (other.metricStat) visit(other);
    }
    state.set(q.id, 'done');
    out.push(q);
  };
  queries.forEach(visit);
  return out;
}

/** Runs the queries over `[start, end)`; returns the results of those whose ReturnData is not false. */
export async function runQueries(store: Store, scope: Scope, queries: MetricQuery[], start: number, end: number): Promise<QueryResult[]> {
  const results = new Map<string, Series>();
  const metricIds = queries.filter((q) => q.metricStat).map((q) => q.id);
  const out = new Map<string, QueryResult[]>();
  for (const q of ordered(queries)) {
    if (q.metricStat) {
      const { metric, period, stat, unit } = q.metricStat;
      const bins = await readSeries(store, scope, metric, { start, end, period, unit });
      const series = { label: defaultLabel(q), ...statisticSeries(bins, stat) };
      results.set(q.id, series);
      out.set(q.id, [{ id: q.id, ...series }]);
      continue;
    }
    const period = q.period ?? queries.find((m) => m.metricStat)?.metricStat?.period ?? 60;
    const periodMs = period * 1000;
    const grid: number[] = [];
    for (let t = Math.ceil(start / periodMs) * periodMs; t < end; t += periodMs) grid.push(t);
    const value = computeExpression(q.id, q.expression ?? '', { results, metricIds, grid });
    const label = q.label ?? q.id;
    if (typeof value === 'number') {
      const s = { label, timestamps: grid, values: grid.map(() => value) };
      results.set(q.id, s);
      out.set(q.id, [{ id: q.id, ...s }]);
    } else if (Array.isArray(value)) {
      // An array's series are returned one by one, labelled by the series they came from.
      out.set(q.id, value.map((s) => ({ id: q.id, label: s.label, timestamps: s.timestamps, values: s.values })));
    } else {
      const s = { ...value, label };
      results.set(q.id, s);
      out.set(q.id, [{ id: q.id, ...s }]);
    }
  }
  return queries.filter((q) => q.returnData !== false).flatMap((q) => out.get(q.id) ?? []);
}

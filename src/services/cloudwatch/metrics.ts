/**
 * CloudWatch's metric operations: PutMetricData, GetMetricStatistics, GetMetricData (MetricStat
 * and metric math, ScanBy, paging by MaxDatapoints) and ListMetrics (filters, RecentlyActive).
 */
import type { Datapoint, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import * as metrics from '../../metrics/index.ts';
import {
  dimensionFiltersIn, dimensionsIn, dimensionsOut, envOf, offsetOf, offsetToken, queriesIn, scopeOf, type CloudWatchDeps, type CloudWatchOperationTable,
} from './common.ts';

const { MetricsErrors } = metrics;
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
/** Datapoints GetMetricStatistics returns at most. */
const MAX_DATAPOINTS = 1440;
const HIGH_RESOLUTION_PERIODS = new Set([1, 5, 10, 20, 30]);

/** A period AWS accepts: 1, 5, 10, 20, 30, or a multiple of 60. */
function checkPeriod(period: number, parameter: string): void {
  if (period <= 0 || (!HIGH_RESOLUTION_PERIODS.has(period) && period % 60 !== 0)) {
    throw MetricsErrors.invalidValue(`The parameter ${parameter} must be a multiple of 60.`);
  }
}

export function metricOperations(deps: CloudWatchDeps): CloudWatchOperationTable {
  const env = envOf(deps);
  return {
    PutMetricData: {
      handler: async (input, ctx) => {
        if (input.MetricData === undefined || input.MetricData.length === 0) throw MetricsErrors.missing('The parameter MetricData is required.');
        if (input.MetricData.length > 1000) throw MetricsErrors.invalidValue('The collection MetricData must not have a size greater than 1000.');
        await metrics.putMetricData(env, scopeOf(ctx), input.Namespace!, input.MetricData.map((d) => ({
          metricName: d.MetricName ?? '', dimensions: dimensionsIn(d.Dimensions),
          ...(d.Timestamp ? { timestamp: d.Timestamp.getTime() } : {}), ...(d.Value !== undefined ? { value: d.Value } : {}),
          ...(d.Values !== undefined ? { values: d.Values } : {}), ...(d.Counts !== undefined ? { counts: d.Counts } : {}),
          ...(d.StatisticValues ? { statisticValues: d.StatisticValues as { SampleCount: number; Sum: number; Minimum: number; Maximum: number } } : {}),
          ...(d.Unit ? { unit: d.Unit } : {}), ...(d.StorageResolution !== undefined ? { storageResolution: d.StorageResolution } : {}),
        })));
        return {};
      },
    },

    GetMetricStatistics: {
      handler: async (input, ctx) => {
        const stats = input.Statistics ?? [];
        const extended = input.ExtendedStatistics ?? [];
        if (stats.length === 0 && extended.length === 0) throw MetricsErrors.missing('Must specify either Statistics or ExtendedStatistics.');
        if (stats.length && extended.length) throw MetricsErrors.combination('The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.');
        extended.forEach((p, i) => {
          if (metrics.percentileOf(p) === undefined) throw MetricsErrors.invalidParameter(p, `ExtendedStatistics.member.${i + 1}`);
        });
        // Required members: the model has checked they are there.
        const period = input.Period!;
        checkPeriod(period, 'Period');
        const start = input.StartTime!.getTime();
        const end = input.EndTime!.getTime();
        if (start >= end) throw MetricsErrors.invalidValue('The parameter StartTime must be less than the parameter EndTime.');
        const requested = Math.ceil((end - start) / (period * 1000));
        if (requested > MAX_DATAPOINTS) {
          throw MetricsErrors.combination(`You have requested up to ${requested.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. `
            + 'You may reduce the datapoints requested by increasing Period, or decreasing the time range.');
        }
        const series = metrics.seriesOf(input.Namespace!, input.MetricName!, dimensionsIn(input.Dimensions));
        const bins = await metrics.readSeries(deps.store, scopeOf(ctx), series, { start, end, period, unit: input.Unit });
        const Datapoints: Datapoint[] = bins.map((b) => {
          const point: Datapoint = { Timestamp: new Date(b.timestamp), Unit: b.unit as never };
          for (const s of stats) (point as Record<string, unknown>)[s] = metrics.statistic(b.agg, s);
          if (extended.length) {
            point.ExtendedStatistics = Object.fromEntries(extended.flatMap((p) => {
              const v = metrics.statistic(b.agg, p);
              return v === undefined ? [] : [[p, v]];
            }));
          }
          return point;
        });
        return { Label: input.MetricName, Datapoints };
      },
    },

    GetMetricData: {
      handler: async (input, ctx) => {
        const start = input.StartTime!.getTime();
        const end = input.EndTime!.getTime();
        const queries = input.MetricDataQueries!;
        if (start >= end) throw MetricsErrors.validation('The parameter StartTime must be less than the parameter EndTime.');
        queries.forEach((q, i) => {
          if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
            throw MetricsErrors.validation(`The parameter MetricDataQueries.member.${i + 1} must contain exactly one of MetricStat or Expression.`);
          }
          if (q.MetricStat) checkPeriod(q.MetricStat.Period ?? 0, `MetricDataQueries.member.${i + 1}.MetricStat.Period`);
        });
        const ids = new Set<string>();
        for (const q of queries) {
          if (ids.has(q.Id ?? '')) throw MetricsErrors.validation(`The value ${q.Id} for parameter MetricDataQueries.member.Id is duplicated.`);
          ids.add(q.Id ?? '');
        }
        const results = await metrics.runQueries(deps.store, scopeOf(ctx), queriesIn(queries), start, end);
        const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
        // Datapoints in ScanBy order, then cut to MaxDatapoints from the token's offset across the results.
        let skip = offsetOf(input.NextToken);
        let room = input.MaxDatapoints ?? 100_800;
        const offset = skip;
        let total = 0;
        const out: MetricDataResult[] = results.map((r) => {
          const order = r.timestamps.map((_, k) => k);
          if (descending) order.reverse();
          total += order.length;
          const taken = order.slice(Math.min(skip, order.length)).slice(0, room);
          skip = Math.max(0, skip - order.length);
          room -= taken.length;
          return {
            Id: r.id, Label: r.label, Timestamps: taken.map((k) => new Date(r.timestamps[k]!)), Values: taken.map((k) => r.values[k]!),
            StatusCode: 'Complete', Messages: [],
          };
        });
        const next = offset + (input.MaxDatapoints ?? 100_800);
        return { MetricDataResults: out, Messages: [], ...(next < total ? { NextToken: offsetToken(next) } : {}) };
      },
    },

    ListMetrics: {
      handler: async (input, ctx) => {
        if (input.RecentlyActive !== undefined && input.RecentlyActive !== 'PT3H') throw MetricsErrors.invalidParameter(input.RecentlyActive, 'RecentlyActive');
        const all = await metrics.listMetrics(deps.store, scopeOf(ctx), {
          ...(input.Namespace !== undefined ? { namespace: input.Namespace } : {}),
          ...(input.MetricName !== undefined ? { metricName: input.MetricName } : {}),
          dimensions: dimensionFiltersIn(input.Dimensions),
          ...(input.RecentlyActive ? { activeSince: deps.clock.now() - 3 * 3_600_000 } : {}),
        });
        const offset = offsetOf(input.NextToken);
        const page = all.slice(offset, offset + 500);
        return {
          Metrics: page.map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: dimensionsOut(s.dimensions) })),
          ...(offset + 500 < all.length ? { NextToken: offsetToken(offset + 500) } : {}),
        };
      },
    },
  };
}

/**
 * CloudWatch's metric alarm operations: PutMetricAlarm (one metric, or metric math), the
 * Describe operations with their filters and paging, SetAlarmState, DeleteAlarms, actions on
 * and off, and tags on alarms. Alarm operations are authorized on the alarm's ARN.
 */
import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import type { RequestContext } from '../../aws/index.ts';
import * as metrics from '../../metrics/index.ts';
import {
  alarmOut, dimensionsIn, envOf, offsetOf, offsetToken, queriesIn, scopeOf, tagsIn, tagsOut, type CloudWatchDeps, type CloudWatchOperationTable,
} from './common.ts';

const { MetricsErrors } = metrics;

/** The alarm's ARN, for IAM. */
const onAlarm = (i: { AlarmName?: string }, ctx: RequestContext) => [metrics.alarmArn(scopeOf(ctx), i.AlarmName ?? '')];
const onAlarms = (i: { AlarmNames?: string[] }, ctx: RequestContext) => (i.AlarmNames?.length ? i.AlarmNames.map((n) => metrics.alarmArn(scopeOf(ctx), n)) : ['*']);

/** PutMetricAlarm's settings, refusing the combinations AWS refuses. */
function settingsOf(i: PutMetricAlarmInput): metrics.AlarmSettings {
  const single = i.MetricName !== undefined || i.Namespace !== undefined || i.Statistic !== undefined || i.ExtendedStatistic !== undefined || i.Period !== undefined;
  if (single && i.Metrics) throw MetricsErrors.validation('Metrics list cannot be used together with MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions or Period.');
  if (!single && !i.Metrics) throw MetricsErrors.validation('Either MetricName and Namespace or Metrics must be specified.');
  if (single) {
    if (i.MetricName === undefined || i.Namespace === undefined) throw MetricsErrors.validation('Both MetricName and Namespace must be specified.');
    if ((i.Statistic === undefined) === (i.ExtendedStatistic === undefined)) throw MetricsErrors.validation('Exactly one of Statistic and ExtendedStatistic must be specified.');
    if (i.ExtendedStatistic !== undefined && metrics.percentileOf(i.ExtendedStatistic) === undefined) throw MetricsErrors.invalidParameter(i.ExtendedStatistic, 'ExtendedStatistic');
    if (i.Period === undefined) throw MetricsErrors.validation('Period must be specified.');
    if (i.Period !== 10 && i.Period !== 30 && i.Period % 60 !== 0) throw MetricsErrors.validation('Period must be 10, 30 or a multiple of 60.');
  } else {
    const returning = i.Metrics!.filter((q) => q.ReturnData !== false);
    if (returning.length !== 1) throw MetricsErrors.validation('Exactly one element of the metrics list should return data.');
    for (const q of i.Metrics!) if ((q.MetricStat === undefined) === (q.Expression === undefined)) throw MetricsErrors.validation(`Metric ${q.Id} must specify exactly one of MetricStat and Expression.`);
  }
  const op = i.ComparisonOperator!;
  if (!metrics.STATIC_OPERATORS.includes(op)) throw MetricsErrors.validation(`ComparisonOperator ${op} needs an anomaly detection band, which Wharf does not have.`);
  if (i.Threshold === undefined) throw MetricsErrors.validation('Threshold must be specified.');
  const evaluationPeriods = i.EvaluationPeriods!;
  if (i.DatapointsToAlarm !== undefined && i.DatapointsToAlarm > evaluationPeriods) {
    throw MetricsErrors.validation('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  }
  if (i.TreatMissingData !== undefined && !['missing', 'ignore', 'breaching', 'notBreaching'].includes(i.TreatMissingData)) {
    throw MetricsErrors.validation(`The value ${i.TreatMissingData} for TreatMissingData is invalid; valid values are breaching, notBreaching, ignore and missing.`);
  }
  return {
    name: i.AlarmName!, ...(i.AlarmDescription !== undefined ? { description: i.AlarmDescription } : {}),
    actionsEnabled: i.ActionsEnabled ?? true, okActions: i.OKActions ?? [], alarmActions: i.AlarmActions ?? [], insufficientDataActions: i.InsufficientDataActions ?? [],
    ...(single ? { metric: metrics.seriesOf(i.Namespace!, i.MetricName!, dimensionsIn(i.Dimensions)), period: i.Period! } : { metrics: queriesIn(i.Metrics!) }),
    ...(i.Statistic ? { statistic: i.Statistic } : {}), ...(i.ExtendedStatistic ? { extendedStatistic: i.ExtendedStatistic } : {}),
    ...(i.Unit ? { unit: i.Unit } : {}), evaluationPeriods, ...(i.DatapointsToAlarm !== undefined ? { datapointsToAlarm: i.DatapointsToAlarm } : {}),
    threshold: i.Threshold, comparisonOperator: op, ...(i.TreatMissingData ? { treatMissingData: i.TreatMissingData as metrics.TreatMissingData } : {}),
    ...(i.EvaluateLowSampleCountPercentile ? { evaluateLowSampleCountPercentile: i.EvaluateLowSampleCountPercentile } : {}),
    tags: tagsIn(i.Tags),
  };
}

export function alarmOperations(deps: CloudWatchDeps): CloudWatchOperationTable {
  const env = envOf(deps);
  return {
    PutMetricAlarm: {
      authorization: { resources: onAlarm },
      handler: async (input, ctx) => {
        await metrics.putMetricAlarm(env, scopeOf(ctx), settingsOf(input));
        return {};
      },
    },

    DescribeAlarms: {
      handler: async (input, ctx) => {
        if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined) {
          throw MetricsErrors.combination('The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.');
        }
        const wantsMetricAlarms = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
        const all = wantsMetricAlarms ? await metrics.describeAlarms(deps.store, scopeOf(ctx), {
          ...(input.AlarmNames ? { names: input.AlarmNames } : {}), ...(input.AlarmNamePrefix !== undefined ? { prefix: input.AlarmNamePrefix } : {}),
          ...(input.StateValue ? { state: input.StateValue } : {}), ...(input.ActionPrefix !== undefined ? { actionPrefix: input.ActionPrefix } : {}),
        }) : [];
        const offset = offsetOf(input.NextToken);
        const size = input.MaxRecords ?? 50;
        return {
          MetricAlarms: all.slice(offset, offset + size).map(alarmOut), CompositeAlarms: [],
          ...(offset + size < all.length ? { NextToken: offsetToken(offset + size) } : {}),
        };
      },
    },

    DescribeAlarmsForMetric: {
      handler: async (input, ctx) => {
        const series = metrics.seriesKey(metrics.seriesOf(input.Namespace!, input.MetricName!, dimensionsIn(input.Dimensions)));
        const all = await metrics.describeAlarms(deps.store, scopeOf(ctx), {});
        const matching = all.filter((a) => a.metric && metrics.seriesKey(a.metric) === series
          && (input.Statistic === undefined || a.statistic === input.Statistic) && (input.ExtendedStatistic === undefined || a.extendedStatistic === input.ExtendedStatistic)
          && (input.Period === undefined || a.period === input.Period) && (input.Unit === undefined || a.unit === input.Unit));
        return { MetricAlarms: matching.map(alarmOut) };
      },
    },

    DescribeAlarmHistory: {
      handler: async (input, ctx) => {
        const types = ['ConfigurationUpdate', 'StateUpdate', 'Action'];
        if (input.HistoryItemType !== undefined && !types.includes(input.HistoryItemType)) throw MetricsErrors.invalidParameter(input.HistoryItemType, 'HistoryItemType');
        const all = await metrics.alarmHistory(deps.store, scopeOf(ctx), {
          ...(input.AlarmName !== undefined ? { name: input.AlarmName } : {}),
          ...(input.HistoryItemType ? { type: input.HistoryItemType as 'StateUpdate' } : {}),
          ...(input.StartDate ? { start: input.StartDate.getTime() } : {}), ...(input.EndDate ? { end: input.EndDate.getTime() } : {}),
          newestFirst: (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending',
        });
        const offset = offsetOf(input.NextToken);
        const size = input.MaxRecords ?? 100;
        return {
          AlarmHistoryItems: all.slice(offset, offset + size).map((h) => ({
            AlarmName: h.alarmName, AlarmType: h.alarmType, Timestamp: new Date(h.timestamp), HistoryItemType: h.type, HistorySummary: h.summary, HistoryData: h.data,
          })),
          ...(offset + size < all.length ? { NextToken: offsetToken(offset + size) } : {}),
        };
      },
    },

    SetAlarmState: {
      authorization: { resources: onAlarm },
      handler: async (input, ctx) => {
        if (input.StateReasonData !== undefined) {
          try {
            JSON.parse(input.StateReasonData);
          } catch {
            throw MetricsErrors.invalidFormat('The parameter StateReasonData is not valid JSON.');
          }
        }
        const change = await metrics.setAlarmState(env, scopeOf(ctx), input.AlarmName!, {
          state: input.StateValue!, reason: input.StateReason!, reasonData: input.StateReasonData ?? '{}',
        }, true);
        if (change && change.previous.state !== change.next.state) {
          deps.onStateChange?.(scopeOf(ctx), change);
          if (change.next.actionsEnabled) deps.actions?.onAlarmStateChange(change.next, change.previous.state, change.next.state);
        }
        return {};
      },
    },

    DeleteAlarms: {
      authorization: { resources: onAlarms },
      handler: async (input, ctx) => {
        await metrics.deleteAlarms(env, scopeOf(ctx), input.AlarmNames ?? []);
        return {};
      },
    },

    EnableAlarmActions: {
      authorization: { resources: onAlarms },
      handler: async (input, ctx) => {
        await metrics.setActionsEnabled(env, scopeOf(ctx), input.AlarmNames ?? [], true);
        return {};
      },
    },

    DisableAlarmActions: {
      authorization: { resources: onAlarms },
      handler: async (input, ctx) => {
        await metrics.setActionsEnabled(env, scopeOf(ctx), input.AlarmNames ?? [], false);
        return {};
      },
    },

    TagResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'] },
      handler: async (input, ctx) => {
        await metrics.tagAlarm(env, scopeOf(ctx), input.ResourceARN!, tagsIn(input.Tags), []);
        return {};
      },
    },

    UntagResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'] },
      handler: async (input, ctx) => {
        await metrics.tagAlarm(env, scopeOf(ctx), input.ResourceARN!, [], input.TagKeys ?? []);
        return {};
      },
    },

    ListTagsForResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'] },
      handler: async (input, ctx) => ({ Tags: tagsOut(await metrics.tagsOf(deps.store, scopeOf(ctx), input.ResourceARN!)) }),
    },
  };
}

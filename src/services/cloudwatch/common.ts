/**
 * What the CloudWatch API's handlers share: their ports, the operation table's type, the scope
 * of a request, and the conversions between the SDK's shapes and the metrics domain's.
 */
import type { Dimension, DimensionFilter, MetricAlarm, MetricDataQuery, Tag } from '@aws-sdk/client-cloudwatch';
import type { CloudwatchOperations, OperationSpec, RequestContext } from '../../aws/index.ts';
import type { Clock, Ids } from '../../common/index.ts';
import * as metrics from '../../metrics/index.ts';
import type { Store } from '../../state/index.ts';

/** Told of every alarm state change, to carry out the alarm's actions (Auto Scaling policies, EventBridge, ...). */
export interface AlarmActions {
  onAlarmStateChange(alarm: metrics.AlarmRecord, previous: metrics.AlarmState, next: metrics.AlarmState): void;
}

/** What the CloudWatch API runs on. */
export interface CloudWatchDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Where SetAlarmState's changes go (the alarm controller's changes go to its own port). */
  actions?: AlarmActions;
  /** Told of every state change SetAlarmState makes, whatever the alarm's actions (EventBridge). */
  onStateChange?: (scope: { account: string; region: string }, change: metrics.AlarmStateChange) => void;
}

/** Some of CloudWatch's operations, as one file of the adapter implements them. */
export type CloudWatchOperationTable = { [K in keyof CloudwatchOperations]?: OperationSpec<CloudwatchOperations[K]['input'], CloudwatchOperations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): metrics.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: CloudWatchDeps): metrics.AlarmsEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

export const dimensionsIn = (ds: readonly Dimension[] | undefined): metrics.Dimension[] => (ds ?? []).map((d) => ({ name: d.Name ?? '', value: d.Value ?? '' }));
export const dimensionsOut = (ds: readonly metrics.Dimension[]): Dimension[] => ds.map((d) => ({ Name: d.name, Value: d.value }));
export const dimensionFiltersIn = (ds: readonly DimensionFilter[] | undefined) => (ds ?? []).map((d) => ({ name: d.Name ?? '', ...(d.Value !== undefined ? { value: d.Value } : {}) }));
export const tagsIn = (tags: readonly Tag[] | undefined) => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
export const tagsOut = (tags: readonly { key: string; value: string }[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** SDK metric data queries → the domain's. */
export function queriesIn(queries: readonly MetricDataQuery[]): metrics.MetricQuery[] {
  return queries.map((q) => ({
    id: q.Id ?? '',
    ...(q.MetricStat ? {
      metricStat: {
        metric: metrics.seriesOf(q.MetricStat.Metric?.Namespace ?? '', q.MetricStat.Metric?.MetricName ?? '', dimensionsIn(q.MetricStat.Metric?.Dimensions)),
        period: q.MetricStat.Period ?? 60, stat: q.MetricStat.Stat ?? 'Average', ...(q.MetricStat.Unit ? { unit: q.MetricStat.Unit } : {}),
      },
    } : {}),
    ...(q.Expression !== undefined ? { expression: q.Expression } : {}),
    ...(q.Label !== undefined ? { label: q.Label } : {}),
    ...(q.ReturnData !== undefined ? { returnData: q.ReturnData } : {}),
    ...(q.Period !== undefined ? { period: q.Period } : {}),
  }));
}

/** The domain's queries → the SDK's (DescribeAlarms' Metrics). */
export function queriesOut(queries: readonly metrics.MetricQuery[]): MetricDataQuery[] {
  return queries.map((q) => ({
    Id: q.id,
    ...(q.metricStat ? {
      MetricStat: {
        Metric: { Namespace: q.metricStat.metric.namespace, MetricName: q.metricStat.metric.metricName, Dimensions: dimensionsOut(q.metricStat.metric.dimensions) },
        Period: q.metricStat.period, Stat: q.metricStat.stat, ...(q.metricStat.unit ? { Unit: q.metricStat.unit as never } : {}),
      },
    } : {}),
    ...(q.expression !== undefined ? { Expression: q.expression } : {}),
    ...(q.label !== undefined ? { Label: q.label } : {}),
    ReturnData: q.returnData ?? true,
    ...(q.period !== undefined ? { Period: q.period } : {}),
  }));
}

/** An alarm as DescribeAlarms shows it. */
export function alarmOut(a: metrics.AlarmRecord): MetricAlarm {
  return {
    AlarmName: a.name, AlarmArn: a.arn, ...(a.description !== undefined ? { AlarmDescription: a.description } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(a.configurationUpdatedAt), ActionsEnabled: a.actionsEnabled,
    OKActions: a.okActions, AlarmActions: a.alarmActions, InsufficientDataActions: a.insufficientDataActions,
    StateValue: a.state, StateReason: a.stateReason, ...(a.stateReasonData !== undefined ? { StateReasonData: a.stateReasonData } : {}),
    StateUpdatedTimestamp: new Date(a.stateUpdatedAt), StateTransitionedTimestamp: new Date(a.stateTransitionedAt),
    ...(a.metric ? { MetricName: a.metric.metricName, Namespace: a.metric.namespace, Dimensions: dimensionsOut(a.metric.dimensions) } : {}),
    ...(a.statistic ? { Statistic: a.statistic as never } : {}), ...(a.extendedStatistic ? { ExtendedStatistic: a.extendedStatistic } : {}),
    ...(a.period !== undefined ? { Period: a.period } : {}), ...(a.unit ? { Unit: a.unit as never } : {}),
    EvaluationPeriods: a.evaluationPeriods, ...(a.datapointsToAlarm !== undefined ? { DatapointsToAlarm: a.datapointsToAlarm } : {}),
    ...(a.threshold !== undefined ? { Threshold: a.threshold } : {}), ComparisonOperator: a.comparisonOperator as never,
    ...(a.treatMissingData ? { TreatMissingData: a.treatMissingData } : {}),
    ...(a.evaluateLowSampleCountPercentile ? { EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile } : {}),
    ...(a.metrics ? { Metrics: queriesOut(a.metrics) } : {}),
  };
}

/** An opaque token of an offset into a listing. */
export const offsetToken = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64');

/** The offset a token names; refuses one Wharf did not give. */
export function offsetOf(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to the refusal.
  }
  throw metrics.MetricsErrors.invalidNextToken();
}

/**
 * The metrics domain: CloudWatch's metric series stored as per-minute aggregates (rolled up as
 * they age), statistics and metric math over them, and metric alarms with their pure
 * evaluation, state changes and history. The CloudWatch adapter (`services/cloudwatch`) and the
 * alarm controller are its users; nothing here reads a request or shapes a response.
 */
export { merge, ofValue, percentile, percentileOf, statistic, type Aggregate } from './aggregate.ts';
export {
  alarmArn, canonical, metricKeys, parseAlarmKey, seriesKey, RESOLUTIONS,
  type AlarmRecord, type AlarmState, type DataRow, type Dimension, type HistoryRecord, type MetricQuery, type Resolution, type Scope, type SeriesId,
  type SeriesRecord, type TreatMissingData,
} from './records.ts';
export { MetricsErrors } from './errors.ts';
export { publishMetricData, putMetricData, type Datum, type MetricsEnv } from './datapoints.ts';
export { listMetrics, readSeries, seriesOf, statisticSeries, type Bin, type MetricFilter, type SeriesRange } from './query.ts';
export { computeExpression, parseExpression, type MathContext, type Series, type Value } from './math.ts';
export { runQueries, type QueryResult } from './metric-data.ts';
export { evaluateAlarm, javaDouble, STATIC_OPERATORS, type Datapoint, type EvaluatedAlarm, type Evaluation } from './evaluate.ts';
export {
  alarmHistory, deleteAlarms, describeAlarms, putMetricAlarm, setActionsEnabled, setAlarmState, tagAlarm, tagsOf,
  type AlarmFilter, type AlarmSettings, type AlarmStateChange, type AlarmsEnv, type HistoryFilter,
} from './alarms.ts';
export { alarmDatapoints, alarmPeriod } from './alarm-data.ts';
export { rollupAction, runRetention, RETENTION, type RetentionResult, type RollupAction } from './retention.ts';

/**
 * Amazon CloudWatch (metrics and metric alarms), as served by Wharf, over the metrics domain.
 * The platform decodes AWS JSON 1.0 (the SDK's, awsQueryCompatible) and awsQuery (the AWS CLI's),
 * authenticates, authorizes each operation as `cloudwatch:<Action>` (alarm operations on the
 * alarm's ARN, metric operations on `*`), validates against the model and encodes.
 */
import { cloudwatchModel, type CloudwatchOperations, type ServiceDefinition } from '../../aws/index.ts';
import { alarmOperations } from './alarms.ts';
import type { CloudWatchDeps } from './common.ts';
import { metricOperations } from './metrics.ts';
import { cloudWatchValidationError } from './validation.ts';

export type { AlarmActions, CloudWatchDeps } from './common.ts';

/** The CloudWatch API over the given store, clock and ids. */
export function cloudWatchService(deps: CloudWatchDeps): ServiceDefinition<CloudwatchOperations> {
  return {
    model: cloudwatchModel,
    iamPrefix: 'cloudwatch',
    operations: { ...metricOperations(deps), ...alarmOperations(deps) },
    validationError: cloudWatchValidationError,
    partly: {
      PutMetricData: 'no EntityMetricData; values are kept as per-minute aggregates with ±2% percentile buckets.',
      GetMetricStatistics: 'percentiles are approximate (±2%); periods are aligned to the epoch.',
      GetMetricData: 'metric math: arithmetic, comparisons, SUM, AVG, MIN, MAX, FILL, METRICS, IF; no Metrics Insights queries, no dynamic labels (LabelOptions is ignored).',
      ListMetrics: 'no linked accounts.',
      PutMetricAlarm: 'no anomaly detection bands; EvaluateLowSampleCountPercentile is kept but not applied.',
      DescribeAlarms: 'metric alarms only (no composite alarms); ChildrenOfAlarmName and ParentsOfAlarmName match nothing.',
    },
  };
}

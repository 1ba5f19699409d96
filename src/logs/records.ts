/**
 * CloudWatch Logs' records in the key-value store: log groups, log streams and metric filters.
 * Log events are not records: they live in the event store (event-store.ts). Records are not API
 * shapes: timestamps are epoch ms; the CloudWatch Logs adapter (`services/logs`) turns them
 * into the API's.
 */

/** Every log group belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A log group. */
export interface LogGroupRecord {
  name: string;
  arn: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  tags: Record<string, string>;
  logGroupClass: 'STANDARD';
}

/** A log stream of a group: what DescribeLogStreams shows, kept up to date by PutLogEvents. */
export interface LogStreamRecord {
  name: string;
  arn: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  uploadSequenceToken: string;
  storedBytes: number;
}

/** How a metric filter turns matching events into a metric (see metric-filters.ts). */
export interface MetricTransformationRecord {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  defaultValue?: number;
  dimensions?: Record<string, string>;
  unit?: string;
}

/** A metric filter of a group. */
export interface MetricFilterRecord {
  filterName: string;
  filterPattern: string;
  logGroupName: string;
  metricTransformations: MetricTransformationRecord[];
  creationTime: number;
  applyOnTransformedLogs?: boolean;
}

/** Retention periods PutRetentionPolicy accepts, in days. */
export const RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** `:` is no character of a log group name, so one group's stream keys never hold another group's. */
export const keys = {
  groups: (s: Scope) => `logs/${s.account}/${s.region}/group/`,
  group: (s: Scope, name: string) => `logs/${s.account}/${s.region}/group/${name}`,
  streams: (s: Scope, group: string) => `logs/${s.account}/${s.region}/stream/${group}:`,
  stream: (s: Scope, group: string, stream: string) => `logs/${s.account}/${s.region}/stream/${group}:${stream}`,
  metricFilters: (s: Scope, group: string) => `logs/${s.account}/${s.region}/metric-filter/${group}:`,
  metricFilter: (s: Scope, group: string, name: string) => `logs/${s.account}/${s.region}/metric-filter/${group}:${name}`,
  allMetricFilters: (s: Scope) => `logs/${s.account}/${s.region}/metric-filter/`,
};

/** `arn:aws:logs:<region>:<account>:log-group:<name>` (IAM's resource; DescribeLogGroups' `logGroupArn`). */
export const groupArn = (s: Scope, name: string): string => `arn:aws:logs:${s.region}:${s.account}:log-group:${name}`;

/** `arn:aws:logs:<region>:<account>:log-group:<name>:log-stream:<stream>`. */
export const streamArn = (s: Scope, group: string, stream: string): string => `${groupArn(s, group)}:log-stream:${stream}`;

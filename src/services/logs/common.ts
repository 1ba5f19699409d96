/**
 * What the CloudWatch Logs API's handlers share: their ports, the operation table's type, the
 * scope of a request, the ARNs operations are authorized on, the model's validation error, and
 * the records as API shapes.
 */
import { AwsError, coralValidationMessage, type LogsOperations, type OperationSpec, type RequestContext, type Violation } from '../../aws/index.ts';
import type { LogGroup, LogStream, MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { Clock, Ids } from '../../common/index.ts';
import * as logs from '../../logs/index.ts';
import type { Store } from '../../state/index.ts';

/** What the CloudWatch Logs API runs on: the store for records, the event store for events, the clock, where metric filters' data go. */
export interface LogsDeps {
  store: Store;
  clock: Clock;
  events: logs.EventStore;
  metricData?: logs.MetricDataPort;
  /** Live tail sessions' ids. */
  ids: Ids;
  /** How live tail sessions run (default: Node's timers, three hours, an update a second). */
  liveTail?: logs.LiveTailSettings;
}

/** Some of CloudWatch Logs' operations, as one file of the adapter implements them. */
export type LogsOperationTable = { [K in keyof LogsOperations]?: OperationSpec<LogsOperations[K]['input'], LogsOperations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): logs.Scope => ({ account: ctx.account, region: ctx.region });

/** The logs domain's environment. */
export const envOf = (deps: LogsDeps): logs.LogsEnv => ({
  // Read when a request runs, not when the adapter is built (the coverage docs build it without ports).
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get events() { return deps.events; },
  get metricData() { return deps.metricData; },
});

/** A required member: present once validation passed. */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw logsValidationError([{ path: [member], value: undefined, constraint: 'required', message: 'Member must not be null' }]);
  return value;
}

/** The error for a request the model refuses: InvalidParameterException with AWS's validation wording. */
export function logsValidationError(violations: Violation[]): AwsError {
  return new AwsError('InvalidParameterException', coralValidationMessage(violations));
}

/** Resources: the log group `logGroupName` names. */
export const onGroup = (i: { logGroupName?: string }, ctx: RequestContext): string[] =>
  [i.logGroupName !== undefined ? logs.groupArn(scopeOf(ctx), i.logGroupName) : '*'];

/** Resources: the log stream `logGroupName` and `logStreamName` name. */
export const onStream = (i: { logGroupName?: string; logStreamName?: string }, ctx: RequestContext): string[] =>
  [i.logGroupName !== undefined && i.logStreamName !== undefined ? logs.streamArn(scopeOf(ctx), i.logGroupName, i.logStreamName) : '*'];

const GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(?::\*)?$/;

/** The group a log group ARN (with or without its `:*`) names in the caller's account and region, or InvalidParameterException. */
export function groupOfArn(arn: string, ctx: RequestContext): string {
  const m = GROUP_ARN.exec(arn);
  if (!m) throw logs.LogsErrors.invalidParameter(`Invalid resource ARN: ${arn}. Only log group ARNs can be tagged.`);
  if (m[1] !== ctx.region || m[2] !== ctx.account) throw logs.LogsErrors.groupNotFound();
  return m[3]!;
}

/** A log group as DescribeLogGroups shows it (`arn` ends with `:*`, `logGroupArn` does not). */
export function groupShape(g: logs.LogGroupRecord & { storedBytes: number }, metricFilterCount: number): LogGroup {
  return {
    logGroupName: g.name, creationTime: g.creationTime, metricFilterCount, arn: `${g.arn}:*`, logGroupArn: g.arn, storedBytes: g.storedBytes,
    logGroupClass: g.logGroupClass,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    ...(g.kmsKeyId !== undefined ? { kmsKeyId: g.kmsKeyId } : {}),
  };
}

/** A log stream as DescribeLogStreams shows it. */
export function streamShape(s: logs.LogStreamRecord): LogStream {
  return {
    logStreamName: s.name, creationTime: s.creationTime, arn: s.arn, uploadSequenceToken: s.uploadSequenceToken, storedBytes: s.storedBytes,
    ...(s.firstEventTimestamp !== undefined ? { firstEventTimestamp: s.firstEventTimestamp } : {}),
    ...(s.lastEventTimestamp !== undefined ? { lastEventTimestamp: s.lastEventTimestamp } : {}),
    ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
  };
}

/** A metric filter as DescribeMetricFilters shows it. */
export function metricFilterShape(f: logs.MetricFilterRecord): MetricFilter {
  return {
    filterName: f.filterName, filterPattern: f.filterPattern, logGroupName: f.logGroupName, creationTime: f.creationTime,
    metricTransformations: f.metricTransformations.map((t) => ({
      metricName: t.metricName, metricNamespace: t.metricNamespace, metricValue: t.metricValue,
      ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
      ...(t.dimensions !== undefined ? { dimensions: t.dimensions } : {}),
      ...(t.unit !== undefined ? { unit: t.unit as never } : {}),
    })),
    ...(f.applyOnTransformedLogs !== undefined ? { applyOnTransformedLogs: f.applyOnTransformedLogs } : {}),
  };
}

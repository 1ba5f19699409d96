/**
 * Log groups, log streams, their tags and retention, and metric filters, over the store: every
 * write one transaction guarded on the records it read. Deleting a group or a stream deletes
 * its events from the event store after its records are gone.
 */
import type { Clock } from '../common/index.ts';
import { getDoc, listDocs, transact, type Store } from '../state/index.ts';
import { LogsErrors } from './errors.ts';
import type { EventStore } from './event-store.ts';
import { checkTransformation, metricFilterPattern, type MetricDataPort } from './metric-filters.ts';
import {
  groupArn, keys, RETENTION_DAYS, streamArn, type LogGroupRecord, type LogStreamRecord, type MetricFilterRecord, type Scope,
} from './records.ts';

/** What the logs domain runs on: the store for records, the event store for events, the clock, and where metric filters' data go. */
export interface LogsEnv {
  store: Store;
  clock: Clock;
  events: EventStore;
  /** CloudWatch's metrics, fed by the metric filters of groups that take events (none: filters are kept, nothing is published). */
  metricData?: MetricDataPort;
}

/** A log group may have at most this many tags, as in AWS. */
const MAX_TAGS = 50;
/** A log group may have at most this many metric filters, as in AWS. */
const MAX_METRIC_FILTERS = 100;

/** The group, or ResourceNotFoundException. */
export async function getLogGroup(env: LogsEnv, scope: Scope, name: string): Promise<LogGroupRecord> {
  const doc = await getDoc<LogGroupRecord>(env.store, keys.group(scope, name));
  if (!doc) throw LogsErrors.groupNotFound();
  return doc.value;
}

/** CreateLogGroup. */
export async function createLogGroup(env: LogsEnv, scope: Scope, req: { name: string; kmsKeyId?: string; tags?: Record<string, string> }): Promise<LogGroupRecord> {
  if (Object.keys(req.tags ?? {}).length > MAX_TAGS) throw LogsErrors.invalidParameter(`A log group can have at most ${MAX_TAGS} tags.`);
  if (req.name.toLowerCase().startsWith('aws/')) throw LogsErrors.invalidParameter('Log groups starting with AWS/ are reserved for AWS.');
  const record: LogGroupRecord = {
    name: req.name, arn: groupArn(scope, req.name), creationTime: env.clock.now(), tags: req.tags ?? {}, logGroupClass: 'STANDARD',
    ...(req.kmsKeyId !== undefined ? { kmsKeyId: req.kmsKeyId } : {}),
  };
  return transact(env.store, async (tx) => {
    if (await tx.get(keys.group(scope, req.name))) throw LogsErrors.groupExists();
    tx.put(keys.group(scope, req.name), record);
    return record;
  });
}

/** DeleteLogGroup: the group, its streams, its metric filters, then its events. */
export async function deleteLogGroup(env: LogsEnv, scope: Scope, name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    if (!(await tx.get(keys.group(scope, name)))) throw LogsErrors.groupNotFound();
    tx.delete(keys.group(scope, name));
    for (const s of await tx.list<LogStreamRecord>(keys.streams(scope, name))) tx.delete(keys.stream(scope, name, s.name));
    for (const f of await tx.list<MetricFilterRecord>(keys.metricFilters(scope, name))) tx.delete(keys.metricFilter(scope, name, f.filterName));
  });
  await env.events.deleteGroup({ ...scope, group: name });
}

/** The groups of the scope by name, with `storedBytes` summed over their streams. */
export async function listLogGroups(env: LogsEnv, scope: Scope, req: { prefix?: string; pattern?: string }): Promise<Array<LogGroupRecord & { storedBytes: number }>> {
  if (req.prefix !== undefined && req.pattern !== undefined) {
    throw LogsErrors.invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  }
  const groups = (await listDocs<LogGroupRecord>(env.store, keys.groups(scope) + (req.prefix ?? ''))).map((d) => d.value)
    .filter((g) => req.pattern === undefined || g.name.toLowerCase().includes(req.pattern.toLowerCase()));
  const result: Array<LogGroupRecord & { storedBytes: number }> = [];
  for (const g of groups) {
    const streams = await listDocs<LogStreamRecord>(env.store, keys.streams(scope, g.name));
    result.push({ ...g, storedBytes: streams.reduce((sum, s) => sum + s.value.storedBytes, 0) });
  }
  return result;
}

/** Applies `change` to the group and writes it. */
async function modifyGroup(env: LogsEnv, scope: Scope, name: string, change: (g: LogGroupRecord) => LogGroupRecord): Promise<LogGroupRecord> {
  return transact(env.store, async (tx) => {
    const group = await tx.get<LogGroupRecord>(keys.group(scope, name));
    if (!group) throw LogsErrors.groupNotFound();
    const updated = change(group);
    tx.put(keys.group(scope, name), updated);
    return updated;
  });
}

/** PutRetentionPolicy / DeleteRetentionPolicy (undefined: never expire). */
export async function setRetention(env: LogsEnv, scope: Scope, name: string, days: number | undefined): Promise<LogGroupRecord> {
  if (days !== undefined && !RETENTION_DAYS.includes(days)) {
    throw LogsErrors.invalidParameter(`1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
  }
  return modifyGroup(env, scope, name, ({ retentionInDays: _old, ...g }) => (days === undefined ? g : { ...g, retentionInDays: days }));
}

/** TagResource / TagLogGroup: tags added, a key already there takes the new value. */
export async function tagLogGroup(env: LogsEnv, scope: Scope, name: string, tags: Record<string, string>): Promise<LogGroupRecord> {
  return modifyGroup(env, scope, name, (g) => {
    const merged = { ...g.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS) throw LogsErrors.invalidParameter(`A log group can have at most ${MAX_TAGS} tags.`);
    return { ...g, tags: merged };
  });
}

/** UntagResource / UntagLogGroup. */
export async function untagLogGroup(env: LogsEnv, scope: Scope, name: string, tagKeys: readonly string[]): Promise<LogGroupRecord> {
  return modifyGroup(env, scope, name, (g) => ({ ...g, tags: Object.fromEntries(Object.entries(g.tags).filter(([k]) => !tagKeys.includes(k))) }));
}

/** CreateLogStream. */
export async function createLogStream(env: LogsEnv, scope: Scope, group: string, name: string): Promise<LogStreamRecord> {
  if (name.includes(':') || name.includes('*')) throw LogsErrors.invalidParameter('Log stream name cannot contain \':\' or \'*\'.');
  const record: LogStreamRecord = {
    name, arn: streamArn(scope, group, name), creationTime: env.clock.now(), uploadSequenceToken: sequenceToken(1), storedBytes: 0,
  };
  return transact(env.store, async (tx) => {
    if (!(await tx.get(keys.group(scope, group)))) throw LogsErrors.groupNotFound();
    if (await tx.get(keys.stream(scope, group, name))) throw LogsErrors.streamExists();
    tx.put(keys.stream(scope, group, name), record);
    return record;
  });
}

/** AWS's sequence tokens are long decimal strings; here the count of batches the stream took. */
export const sequenceToken = (n: number): string => String(n).padStart(56, '0');

/** DeleteLogStream: the record, then its events. */
export async function deleteLogStream(env: LogsEnv, scope: Scope, group: string, name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    if (!(await tx.get(keys.group(scope, group)))) throw LogsErrors.groupNotFound();
    if (!(await tx.get(keys.stream(scope, group, name)))) throw LogsErrors.streamNotFound();
    tx.delete(keys.stream(scope, group, name));
  });
  await env.events.deleteStream({ ...scope, group, stream: name });
}

/** The group's streams by name, or by last event time (streams without events first, then oldest). */
export async function listLogStreams(
  env: LogsEnv, scope: Scope, group: string, req: { prefix?: string; orderBy?: string; descending?: boolean },
): Promise<LogStreamRecord[]> {
  if (req.orderBy === 'LastEventTime' && req.prefix !== undefined) {
    throw LogsErrors.invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  await getLogGroup(env, scope, group);
  const streams = (await listDocs<LogStreamRecord>(env.store, keys.streams(scope, group) + (req.prefix ?? ''))).map((d) => d.value);
  if (req.orderBy === 'LastEventTime') {
    streams.sort((a, b) => (a.lastEventTimestamp ?? -1) - (b.lastEventTimestamp ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return req.descending ? streams.reverse() : streams;
}

/** PutMetricFilter: created or replaced; its pattern must parse and its transformation fit it. */
export async function putMetricFilter(env: LogsEnv, scope: Scope, filter: Omit<MetricFilterRecord, 'creationTime'>): Promise<MetricFilterRecord> {
  const pattern = metricFilterPattern(filter.filterPattern);
  if (filter.metricTransformations.length !== 1) throw LogsErrors.invalidParameter('A metric filter has exactly one metric transformation.');
  checkTransformation(pattern, filter.metricTransformations[0]!);
  const record: MetricFilterRecord = { ...filter, creationTime: env.clock.now() };
  return transact(env.store, async (tx) => {
    if (!(await tx.get(keys.group(scope, filter.logGroupName)))) throw LogsErrors.groupNotFound();
    const existing = await tx.list<MetricFilterRecord>(keys.metricFilters(scope, filter.logGroupName));
    if (!existing.some((f) => f.filterName === filter.filterName) && existing.length >= MAX_METRIC_FILTERS) {
      throw LogsErrors.limitExceeded(`Resource limit exceeded: a log group can have at most ${MAX_METRIC_FILTERS} metric filters.`);
    }
    tx.put(keys.metricFilter(scope, filter.logGroupName, filter.filterName), record);
    return record;
  });
}

/** DescribeMetricFilters: by group and name prefix, or by metric name and namespace, ordered by group then name. */
export async function listMetricFilters(
  env: LogsEnv, scope: Scope, req: { logGroupName?: string; filterNamePrefix?: string; metricName?: string; metricNamespace?: string },
): Promise<MetricFilterRecord[]> {
  if (req.filterNamePrefix !== undefined && req.logGroupName === undefined) {
    throw LogsErrors.invalidParameter('logGroupName is required when filterNamePrefix is specified.');
  }
  if ((req.metricName === undefined) !== (req.metricNamespace === undefined)) {
    throw LogsErrors.invalidParameter('metricName and metricNamespace must be specified together.');
  }
  if (req.logGroupName !== undefined) await getLogGroup(env, scope, req.logGroupName);
  const prefix = req.logGroupName !== undefined ? keys.metricFilters(scope, req.logGroupName) + (req.filterNamePrefix ?? '') : keys.allMetricFilters(scope);
  return (await listDocs<MetricFilterRecord>(env.store, prefix)).map((d) => d.value)
    .filter((f) => req.metricName === undefined || f.metricTransformations.some((t) => t.metricName === req.metricName && t.metricNamespace === req.metricNamespace));
}

/** DeleteMetricFilter. */
export async function deleteMetricFilter(env: LogsEnv, scope: Scope, group: string, name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    if (!(await tx.get(keys.group(scope, group)))) throw LogsErrors.groupNotFound();
    if (!(await tx.get(keys.metricFilter(scope, group, name)))) throw LogsErrors.metricFilterNotFound();
    tx.delete(keys.metricFilter(scope, group, name));
  });
}

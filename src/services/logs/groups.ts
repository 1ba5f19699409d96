/**
 * Log groups, log streams, retention, tags and metric filters: CreateLogGroup, DeleteLogGroup,
 * DescribeLogGroups, PutRetentionPolicy, DeleteRetentionPolicy, CreateLogStream,
 * DeleteLogStream, DescribeLogStreams, TagResource, UntagResource, ListTagsForResource, the
 * legacy TagLogGroup, UntagLogGroup and ListTagsLogGroup, PutMetricFilter,
 * DescribeMetricFilters, DeleteMetricFilter and TestMetricFilter.
 */
import { paginate, requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as logs from '../../logs/index.ts';
import {
  envOf, groupOfArn, groupShape, metricFilterShape, need, onGroup, onStream, scopeOf, streamShape, type LogsDeps, type LogsOperationTable,
} from './common.ts';

const invalidToken = () => logs.LogsErrors.invalidNextToken();

/** The group `logGroupName` or `logGroupIdentifier` (a name or an ARN) names: exactly one of them. */
export function groupOf(i: { logGroupName?: string; logGroupIdentifier?: string }, ctx: RequestContext): string {
  if (i.logGroupName !== undefined && i.logGroupIdentifier !== undefined) {
    throw logs.LogsErrors.invalidParameter('LogGroup name and LogGroup identifier are mutually exclusive parameters.');
  }
  const id = i.logGroupName ?? i.logGroupIdentifier;
  if (id === undefined) throw logs.LogsErrors.invalidParameter('Should provide either name or identifier of the log group.');
  return id.startsWith('arn:') ? groupOfArn(id, ctx) : id;
}

/** Resources: the group named by name or identifier. */
const onGroupIdentified = (i: { logGroupName?: string; logGroupIdentifier?: string }, ctx: RequestContext): string[] => {
  try {
    return [logs.groupArn(scopeOf(ctx), groupOf(i, ctx))];
  } catch {
    return ['*'];
  }
};

/** The groups, streams, tags and metric filters operations. */
export function groupOperations(deps: LogsDeps): LogsOperationTable {
  const env = envOf(deps);
  const tagsOf = async (ctx: RequestContext, group: string) => ({ tags: (await logs.getLogGroup(env, scopeOf(ctx), group)).tags });
  return {
    CreateLogGroup: {
      authorization: { resources: onGroup, conditions: (i) => requestTagConditions(Object.entries(i.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))) },
      handler: async (i, ctx) => {
        if (i.logGroupClass !== undefined && i.logGroupClass !== 'STANDARD') {
          throw logs.LogsErrors.invalidParameter('Wharf keeps every log group in the STANDARD log group class.');
        }
        await logs.createLogGroup(env, scopeOf(ctx), { name: need(i.logGroupName, 'logGroupName'), kmsKeyId: i.kmsKeyId, tags: i.tags });
        return {};
      },
    },
    DeleteLogGroup: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await logs.deleteLogGroup(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'));
        return {};
      },
    },
    DescribeLogGroups: {
      handler: async (i, ctx) => {
        const all = await logs.listLogGroups(env, scopeOf(ctx), { prefix: i.logGroupNamePrefix, pattern: i.logGroupNamePattern });
        const page = paginate(all, (g) => g.name, i.nextToken, i.limit, invalidToken, 50);
        const filters = await logs.listMetricFilters(env, scopeOf(ctx), {});
        const count = (name: string) => filters.filter((f) => f.logGroupName === name).length;
        return { logGroups: page.items.map((g) => groupShape(g, count(g.name))), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },
    },
    PutRetentionPolicy: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await logs.setRetention(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), need(i.retentionInDays, 'retentionInDays'));
        return {};
      },
    },
    DeleteRetentionPolicy: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await logs.setRetention(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), undefined);
        return {};
      },
    },
    CreateLogStream: {
      authorization: { resources: onStream },
      handler: async (i, ctx) => {
        await logs.createLogStream(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), need(i.logStreamName, 'logStreamName'));
        return {};
      },
    },
    DeleteLogStream: {
      authorization: { resources: onStream },
      handler: async (i, ctx) => {
        await logs.deleteLogStream(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), need(i.logStreamName, 'logStreamName'));
        return {};
      },
    },
    DescribeLogStreams: {
      authorization: { resources: onGroupIdentified },
      handler: async (i, ctx) => {
        const streams = await logs.listLogStreams(env, scopeOf(ctx), groupOf(i, ctx), { prefix: i.logStreamNamePrefix, orderBy: i.orderBy, descending: i.descending });
        const page = paginate(streams, (s) => s.name, i.nextToken, i.limit, invalidToken, 50);
        return { logStreams: page.items.map(streamShape), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },
    },
    TagResource: {
      authorization: {
        resources: (i) => [i.resourceArn?.replace(/:\*$/, '') ?? '*'],
        conditions: (i) => requestTagConditions(Object.entries(i.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))),
      },
      handler: async (i, ctx) => {
        await logs.tagLogGroup(env, scopeOf(ctx), groupOfArn(need(i.resourceArn, 'resourceArn'), ctx), need(i.tags, 'tags'));
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: (i) => [i.resourceArn?.replace(/:\*$/, '') ?? '*'], conditions: (i) => tagKeyConditions(i.tagKeys) },
      handler: async (i, ctx) => {
        await logs.untagLogGroup(env, scopeOf(ctx), groupOfArn(need(i.resourceArn, 'resourceArn'), ctx), need(i.tagKeys, 'tagKeys'));
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: (i) => [i.resourceArn?.replace(/:\*$/, '') ?? '*'] },
      handler: async (i, ctx) => tagsOf(ctx, groupOfArn(need(i.resourceArn, 'resourceArn'), ctx)),
    },
    TagLogGroup: {
      authorization: { resources: onGroup, conditions: (i) => requestTagConditions(Object.entries(i.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))) },
      handler: async (i, ctx) => {
        await logs.tagLogGroup(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), need(i.tags, 'tags'));
        return {};
      },
    },
    UntagLogGroup: {
      authorization: { resources: onGroup, conditions: (i) => tagKeyConditions(i.tags) },
      handler: async (i, ctx) => {
        await logs.untagLogGroup(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), need(i.tags, 'tags'));
        return {};
      },
    },
    ListTagsLogGroup: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => tagsOf(ctx, need(i.logGroupName, 'logGroupName')),
    },
    PutMetricFilter: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await logs.putMetricFilter(env, scopeOf(ctx), {
          filterName: need(i.filterName, 'filterName'), filterPattern: need(i.filterPattern, 'filterPattern'), logGroupName: need(i.logGroupName, 'logGroupName'),
          metricTransformations: need(i.metricTransformations, 'metricTransformations').map((t) => ({
            metricName: t.metricName ?? '', metricNamespace: t.metricNamespace ?? '', metricValue: t.metricValue ?? '',
            ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
            ...(t.dimensions !== undefined ? { dimensions: t.dimensions } : {}),
            ...(t.unit !== undefined ? { unit: t.unit } : {}),
          })),
          ...(i.applyOnTransformedLogs !== undefined ? { applyOnTransformedLogs: i.applyOnTransformedLogs } : {}),
        });
        return {};
      },
    },
    DescribeMetricFilters: {
      authorization: { resources: (i, ctx) => (i.logGroupName !== undefined ? onGroup(i, ctx) : ['*']) },
      handler: async (i, ctx) => {
        const all = await logs.listMetricFilters(env, scopeOf(ctx), {
          logGroupName: i.logGroupName, filterNamePrefix: i.filterNamePrefix, metricName: i.metricName, metricNamespace: i.metricNamespace,
        });
        const page = paginate(all, (f) => `${f.logGroupName}:${f.filterName}`, i.nextToken, i.limit, invalidToken, 50);
        return { metricFilters: page.items.map(metricFilterShape), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },
    },
    TestMetricFilter: {
      handler: async (i) => ({ matches: logs.testMetricFilter(need(i.filterPattern, 'filterPattern'), need(i.logEventMessages, 'logEventMessages')) }),
    },
    DeleteMetricFilter: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await logs.deleteMetricFilter(env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), need(i.filterName, 'filterName'));
        return {};
      },
    },
  };
}

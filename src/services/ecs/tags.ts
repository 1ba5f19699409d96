/**
 * The ECS tagging operations: TagResource, UntagResource, ListTagsForResource, for clusters,
 * task definitions, tasks, container instances and services by ARN. Each of those records holds its
 * own `tags`, so tagging is a read-modify-write of that one record.
 */
import type { ListTagsForResourceResponse, Tag, TagResourceResponse, UntagResourceResponse } from '@aws-sdk/client-ecs';
import { transact, type Tx } from '../../state/index.ts';
import { tagConditions, tagKeyConditions } from './authorization.ts';
import { checkStrings, checkTags, mergeTags, need, present, scopeOf, type EcsOperationTable } from './common.ts';
import { EcsErrors, keys, parseArn, serviceKeys, type ClusterRecord, type EcsDeps, type ParsedArn, type Scope } from '../../ecs/index.ts';

/** Any stored record that carries tags. */
interface Tagged {
  tags: Tag[];
}

const INVALID_ARN = 'The ARN provided is invalid.';
const INACTIVE_CLUSTER = 'The specified cluster is inactive. Specify an active cluster and try again.';
const NOT_FOUND = "The specified resource wasn't found.";
const TASK_DEFINITION = /^([A-Za-z0-9_-]{1,255}):([1-9][0-9]{0,9})$/;

/** The cluster a cluster-scoped ARN names must exist and be ACTIVE for its resources to be tagged. */
async function requireActiveCluster(tx: Tx, scope: Scope, name: string): Promise<void> {
  const cluster = await tx.get<ClusterRecord>(keys.cluster(scope, name));
  if (!cluster) throw EcsErrors.clusterNotFound();
  if (cluster.status !== 'ACTIVE') throw EcsErrors.invalidParameter(INACTIVE_CLUSTER);
}

/** The key of the record one resource type's ARN names, checking the cluster it sits in; undefined when it does not exist. */
type Locator = (tx: Tx, scope: Scope, arn: ParsedArn) => Promise<string | undefined>;

/** A task or container instance ARN: `<type>/<cluster>/<id>` (the long format tagging requires). */
const inCluster = (keyOf: (s: Scope, cluster: string, id: string) => string): Locator => async (tx, scope, arn) => {
  if (arn.resource.length === 1) throw EcsErrors.invalidParameter('Long arn format must be used for tagging operations.');
  if (arn.resource.length !== 2) throw EcsErrors.invalidParameter(INVALID_ARN);
  await requireActiveCluster(tx, scope, arn.resource[0]);
  return keyOf(scope, arn.resource[0], arn.resource[1]);
};

/** The resource types that can be tagged, by the resource type in their ARN. */
const TAGGABLE: Record<string, Locator> = {
  cluster: async (tx, scope, arn) => {
    if (arn.resource.length !== 1) throw EcsErrors.invalidParameter(INVALID_ARN);
    await requireActiveCluster(tx, scope, arn.resource[0]);
    return keys.cluster(scope, arn.resource[0]);
  },
  'task-definition': async (_tx, scope, arn) => {
    const m = arn.resource.length === 1 ? TASK_DEFINITION.exec(arn.resource[0]) : null;
    if (!m) throw EcsErrors.invalidParameter(INVALID_ARN);
    return keys.taskDefinition(scope, m[1], Number(m[2]));
  },
  task: inCluster(keys.task),
  'container-instance': inCluster(keys.instance),
  service: inCluster(serviceKeys.service),
  // Task sets and capacity providers are taggable in ECS but have no records here yet.
  'task-set': async () => undefined,
  'capacity-provider': async () => undefined,
};

/** Reads the record `resourceArn` names, or throws the ECS error for a malformed or unknown ARN. */
async function readTagged(tx: Tx, scope: Scope, resourceArn: string): Promise<{ key: string; record: Tagged }> {
  const arn = parseArn(resourceArn);
  const locate = arn && Object.hasOwn(TAGGABLE, arn.resourceType) ? TAGGABLE[arn.resourceType] : undefined;
  if (!arn || !locate) throw EcsErrors.invalidParameter(INVALID_ARN);
  if (arn.account !== scope.account || arn.region !== scope.region) {
    throw arn.resourceType === 'cluster' ? EcsErrors.clusterNotFound() : EcsErrors.resourceNotFound(NOT_FOUND);
  }
  const key = await locate(tx, scope, arn);
  const record = key === undefined ? undefined : await tx.get<Tagged>(key);
  if (key === undefined || !record) throw arn.resourceType === 'cluster' ? EcsErrors.clusterNotFound() : EcsErrors.resourceNotFound(NOT_FOUND);
  return { key, record: { ...record, tags: record.tags ?? [] } };
}

/** Tagging is authorized on the resource tagged. */
const resource = (i: { resourceArn?: string }) => [i.resourceArn || '*'];

/** The tagging operations, bound to their dependencies. */
export function tagOperations(deps: EcsDeps): EcsOperationTable {
  return {
    TagResource: {
      authorization: { resources: resource, conditions: (i) => tagConditions(i.tags) },
      async handler(input, ctx): Promise<TagResourceResponse> {
        const scope = scopeOf(ctx);
        const resourceArn = present(input.resourceArn, 'resourceArn');
        const tags = checkTags(need(input.tags, 'tags'))!;
        await transact(deps.store, async (tx) => {
          const { key, record } = await readTagged(tx, scope, resourceArn);
          tx.put(key, { ...record, tags: mergeTags(record.tags, tags) });
        });
        return {};
      },
    },

    UntagResource: {
      authorization: { resources: resource, conditions: (i) => tagKeyConditions(i.tagKeys) },
      async handler(input, ctx): Promise<UntagResourceResponse> {
        const scope = scopeOf(ctx);
        const resourceArn = present(input.resourceArn, 'resourceArn');
        const tagKeys = checkStrings(need(input.tagKeys, 'tagKeys'), 'tagKeys', { nonEmpty: true, min: 1, max: 128 })!;
        tagKeys.forEach((k, i) => {
          if (k.toLowerCase().startsWith('aws:')) throw EcsErrors.invalidParameter(`tagKeys[${i}]: tag keys beginning with aws: are reserved.`);
        });
        await transact(deps.store, async (tx) => {
          const { key, record } = await readTagged(tx, scope, resourceArn);
          const remaining = record.tags.filter((t) => !tagKeys.includes(t.key ?? ''));
          if (remaining.length !== record.tags.length) tx.put(key, { ...record, tags: remaining });
        });
        return {};
      },
    },

    ListTagsForResource: {
      authorization: { resources: resource },
      async handler(input, ctx): Promise<ListTagsForResourceResponse> {
        const scope = scopeOf(ctx);
        const resourceArn = present(input.resourceArn, 'resourceArn');
        const tags = await transact(deps.store, async (tx) => (await readTagged(tx, scope, resourceArn)).record.tags);
        return { tags: tags.map((t) => ({ ...t })) };
      },
    },
  };
}

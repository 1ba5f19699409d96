/**
 * The ECS attribute operations: PutAttributes, ListAttributes, DeleteAttributes. Attributes
 * live on their container instance (`ContainerInstanceRecord.attributes`), next to the
 * `ecs.*` ones the agent sets; only the others count against the custom-attribute limit.
 */
import type {
  Attribute, DeleteAttributesRequest, DeleteAttributesResponse, ListAttributesResponse, PutAttributesRequest, PutAttributesResponse,
} from '@aws-sdk/client-ecs';
import { paginate, type OperationAuthorization, type RequestContext } from '../../aws/index.ts';
import { transact, type Tx } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, isAgentAttribute, keys, type ContainerInstanceRecord, type EcsDeps, type Scope,
} from '../../ecs/index.ts';
import { clusterArnOf, clusterCondition, inClusterArn } from './authorization.ts';
import { checkInt, checkItems, checkString, need, present, scopeOf, type EcsOperationTable } from './common.ts';
import { instanceTarget } from './container-instances.ts';

/** Custom attributes a container instance can carry, and attributes one call can name. */
export const MAX_CUSTOM_ATTRIBUTES = 10;

const NAME = /^[A-Za-z0-9_.\/\\-]+$/;
const NAME_RULE = 'it may contain letters, numbers, hyphens, underscores, forward slashes, back slashes and periods.';
const VALUE = /^[A-Za-z0-9_.@\/\\: -]+$/;
const VALUE_RULE = 'it may contain letters, numbers, hyphens, underscores, periods, at signs, forward slashes, back slashes, colons and spaces.';

interface AttributeInput {
  name: string;
  value?: string;
  targetType?: 'container-instance';
  targetId: string;
}

function readAttributes(list: Attribute[]): AttributeInput[] {
  return checkItems(list, 'attributes', { nonEmpty: true, max: 10 })!.map((a, i) => {
    const at = `attributes[${i}]`;
    const name = checkString(present(a.name, `${at}.name`), `${at}.name`, { max: 128, pattern: NAME, patternText: NAME_RULE })!;
    const value = checkString(a.value, `${at}.value`, { min: 1, max: 128, pattern: VALUE, patternText: VALUE_RULE });
    if (value !== undefined && value !== value.trim()) throw EcsErrors.invalidParameter(`${at}.value can't start or end with a space.`);
    const targetType = a.targetType;
    const targetId = present(a.targetId, `${at}.targetId`);
    if (!targetId.startsWith('arn:') && !targetType) {
      throw EcsErrors.invalidParameter(`${at}.targetType is required when ${at}.targetId is a short id rather than an ARN.`);
    }
    const out: AttributeInput = { name, targetId };
    if (value !== undefined) out.value = value;
    if (targetType) out.targetType = targetType;
    return out;
  });
}

/** Target instances by the `targetId` that named them: the record and the key it is stored under. */
type Targets = Map<string, { key: string; record: ContainerInstanceRecord }>;

/** The target instances of `attrs`, each read once through the transaction; TargetNotFoundException for any missing. */
async function readTargets(tx: Tx, scope: Scope, clusterName: string, attrs: AttributeInput[]): Promise<Targets> {
  const targets: Targets = new Map();
  for (const a of attrs) {
    if (targets.has(a.targetId)) continue;
    const target = instanceTarget(a.targetId, scope, clusterName);
    const key = target.id === undefined ? undefined : keys.instance(scope, clusterName, target.id);
    const record = key && (await tx.get<ContainerInstanceRecord>(key));
    if (!key || !record) {
      throw EcsErrors.targetNotFound(`Could not find ${a.targetId}. The target could not be found in cluster ${clusterName}.`);
    }
    targets.set(a.targetId, { key, record });
  }
  return targets;
}

/**
 * PutAttributes and DeleteAttributes take the same request (`cluster`, `attributes`) and answer
 * alike (the attributes, echoed): reads and checks it, then runs `change` in one transaction
 * with the cluster and every target instance read.
 */
async function changeAttributes(
  deps: EcsDeps,
  input: PutAttributesRequest | DeleteAttributesRequest,
  ctx: RequestContext,
  change: (tx: Tx, attrs: AttributeInput[], targets: Targets) => void,
): Promise<{ attributes: Attribute[] }> {
  const scope = scopeOf(ctx);
  const attrs = readAttributes(need(input.attributes, 'attributes'));
  await transact(deps.store, async (tx) => {
    const cluster = await activeCluster(tx, scope, input.cluster);
    change(tx, attrs, await readTargets(tx, scope, cluster.name, attrs));
  });
  return { attributes: attrs.map((a): Attribute => ({ ...a })) };
}

/** What PutAttributes and DeleteAttributes are authorized on: each target container instance, in the cluster. */
const targetsAuthorization: OperationAuthorization<PutAttributesRequest | DeleteAttributesRequest> = {
  resources: (i, ctx) => [...new Set((i.attributes ?? []).map((a) => (a.targetId ? inClusterArn(ctx, 'container-instance', i.cluster, a.targetId) : '*')))],
  conditions: (i, ctx) => clusterCondition(ctx, i.cluster),
};

/** The attribute operations, bound to their dependencies. */
export function attributeOperations(deps: EcsDeps): EcsOperationTable {
  return {
    PutAttributes: {
      authorization: targetsAuthorization,
      async handler(input, ctx): Promise<PutAttributesResponse> {
        return changeAttributes(deps, input, ctx, (tx, attrs, targets) => {
          const updated = new Map<string, ContainerInstanceRecord>();
          for (const a of attrs) {
            const { record } = targets.get(a.targetId)!;
            const current = updated.get(record.id) ?? record;
            const attributes = current.attributes.filter((x) => x.name !== a.name);
            attributes.push(a.value === undefined ? { name: a.name } : { name: a.name, value: a.value });
            updated.set(record.id, { ...current, attributes });
          }
          for (const { key, record } of targets.values()) {
            const next = updated.get(record.id)!;
            const custom = next.attributes.filter((x) => !isAgentAttribute(x.name ?? '')).length;
            if (custom > MAX_CUSTOM_ATTRIBUTES) {
              throw EcsErrors.attributeLimitExceeded(
                `You can apply up to ${MAX_CUSTOM_ATTRIBUTES} custom attributes for each resource; ${record.arn} would have ${custom}.`,
              );
            }
            tx.put(key, { ...next, version: record.version + 1 });
          }
        });
      },
    },

    ListAttributes: {
      authorization: { resources: (i, ctx) => [clusterArnOf(ctx, i.cluster)] },
      async handler(input, ctx): Promise<ListAttributesResponse> {
        const scope = scopeOf(ctx);
        const attributeName = checkString(input.attributeName, 'attributeName', { min: 1, max: 128 });
        const attributeValue = checkString(input.attributeValue, 'attributeValue', { min: 1, max: 128 });
        if (attributeValue !== undefined && attributeName === undefined) {
          throw EcsErrors.invalidParameter('attributeName must be specified when attributeValue is specified.');
        }
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const instances = await transact(deps.store, async (tx) => {
          const cluster = await activeCluster(tx, scope, input.cluster);
          return tx.list<ContainerInstanceRecord>(keys.instances(scope, cluster.name));
        });
        const rows: { sortKey: string; attribute: Attribute }[] = [];
        for (const i of instances) {
          if (i.status === 'INACTIVE') continue;
          for (const a of i.attributes) {
            if (attributeName !== undefined && a.name !== attributeName) continue;
            if (attributeValue !== undefined && a.value !== attributeValue) continue;
            const attribute: Attribute = { name: a.name, targetType: 'container-instance', targetId: i.arn };
            if (a.value !== undefined) attribute.value = a.value;
            rows.push({ sortKey: `${i.id}\u0000${a.name}`, attribute });
          }
        }
        rows.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
        const page = paginate(rows, (r) => r.sortKey, input.nextToken, maxResults, EcsErrors.invalidParameter);
        return { attributes: page.items.map((r) => r.attribute), nextToken: page.nextToken };
      },
    },

    DeleteAttributes: {
      authorization: targetsAuthorization,
      async handler(input, ctx): Promise<DeleteAttributesResponse> {
        return changeAttributes(deps, input, ctx, (tx, attrs, targets) => {
          for (const { key, record } of targets.values()) {
            const names = new Set(attrs.filter((a) => targets.get(a.targetId)!.record.id === record.id).map((a) => a.name));
            const attributes = record.attributes.filter((x) => !names.has(x.name ?? ''));
            if (attributes.length !== record.attributes.length) tx.put(key, { ...record, attributes, version: record.version + 1 });
          }
        });
      },
    },
  };
}

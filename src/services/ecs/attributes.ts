/**
 * The ECS attribute actions: PutAttributes, ListAttributes, DeleteAttributes. Attributes
 * live on their container instance (`ContainerInstanceRecord.attributes`), next to the
 * `ecs.*` ones the agent sets; only the others count against the custom-attribute limit.
 */
import type { Attribute, DeleteAttributesResponse, ListAttributesResponse, PutAttributesResponse } from '@aws-sdk/client-ecs';
import { paginate, type ActionHandler, type Fields, type JsonRequestContext as RequestContext } from '../../aws/index.ts';
import { transact, type Tx } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, isAgentAttribute, keys, type ContainerInstanceRecord, type EcsDeps, type Scope,
} from '../../ecs/index.ts';
import { ecsFields, scopeOf } from './common.ts';
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

function readAttributes(f: Fields): AttributeInput[] {
  const list = f.objects('attributes', { required: true, maxItems: 10 })!;
  return list.map((a) => {
    const name = a.string('name', { required: true, max: 128, pattern: NAME, patternText: NAME_RULE });
    const value = a.string('value', { min: 1, max: 128, pattern: VALUE, patternText: VALUE_RULE });
    if (value !== undefined && value !== value.trim()) throw EcsErrors.invalidParameter(`${a.at('value')} can't start or end with a space.`);
    const targetType = a.enum('targetType', ['container-instance'] as const);
    const targetId = a.string('targetId', { required: true });
    if (!targetId.startsWith('arn:') && !targetType) {
      throw EcsErrors.invalidParameter(`${a.at('targetType')} is required when ${a.at('targetId')} is a short id rather than an ARN.`);
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
  input: Record<string, unknown>,
  ctx: RequestContext,
  change: (tx: Tx, attrs: AttributeInput[], targets: Targets) => void,
): Promise<{ attributes: Attribute[] }> {
  const scope = scopeOf(ctx);
  const f = ecsFields(input);
  const clusterRef = f.string('cluster');
  const attrs = readAttributes(f);
  await transact(deps.store, async (tx) => {
    const cluster = await activeCluster(tx, scope, clusterRef);
    change(tx, attrs, await readTargets(tx, scope, cluster.name, attrs));
  });
  return { attributes: attrs.map((a): Attribute => ({ ...a })) };
}

/** The attribute actions, bound to their dependencies. */
export function attributeActions(deps: EcsDeps): Record<string, ActionHandler> {
  return {
    async PutAttributes(input, ctx): Promise<PutAttributesResponse> {
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

    async ListAttributes(input, ctx): Promise<ListAttributesResponse> {
      const scope = scopeOf(ctx);
      const f = ecsFields(input);
      const clusterRef = f.string('cluster');
      f.enum('targetType', ['container-instance'] as const, { required: true });
      const attributeName = f.string('attributeName', { min: 1, max: 128 });
      const attributeValue = f.string('attributeValue', { min: 1, max: 128 });
      if (attributeValue !== undefined && attributeName === undefined) {
        throw EcsErrors.invalidParameter('attributeName must be specified when attributeValue is specified.');
      }
      const nextToken = f.string('nextToken');
      const maxResults = f.int('maxResults', { min: 1, max: 100 });
      const instances = await transact(deps.store, async (tx) => {
        const cluster = await activeCluster(tx, scope, clusterRef);
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
      const page = paginate(rows, (r) => r.sortKey, nextToken, maxResults, EcsErrors.invalidParameter);
      return { attributes: page.items.map((r) => r.attribute), nextToken: page.nextToken };
    },

    async DeleteAttributes(input, ctx): Promise<DeleteAttributesResponse> {
      return changeAttributes(deps, input, ctx, (tx, attrs, targets) => {
        for (const { key, record } of targets.values()) {
          const names = new Set(attrs.filter((a) => targets.get(a.targetId)!.record.id === record.id).map((a) => a.name));
          const attributes = record.attributes.filter((x) => !names.has(x.name ?? ''));
          if (attributes.length !== record.attributes.length) tx.put(key, { ...record, attributes, version: record.version + 1 });
        }
      });
    },
  };
}

/**
 * The ECS container instance operations: RegisterContainerInstance, DescribeContainerInstances,
 * ListContainerInstances, DeregisterContainerInstance, UpdateContainerInstancesState. Agents
 * register over the agent link; RegisterContainerInstance registers an EC2 instance by its
 * identity document, which an agent linking as that instance takes. Task counts are derived
 * from the task records placed on each instance.
 */
import type {
  ContainerInstance, ContainerInstanceHealthStatus, DeregisterContainerInstanceResponse,
  DescribeContainerInstancesResponse, Failure, ListContainerInstancesResponse, RegisterContainerInstanceResponse, Resource,
  UpdateContainerInstancesStateResponse,
} from '@aws-sdk/client-ecs';
import { describeByReferences, paginate, type RequestContext } from '../../aws/index.ts';
import { transact } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, arns, keys, parseArn, parseIdentityDocument, resourcesToApi, stageApiRegistration, toApiInstance,
  type ContainerInstanceRecord, type EcsDeps, type Resources, type Scope, type TaskRecord,
} from '../../ecs/index.ts';
import { clusterArnOf, clusterCondition, inClusterArn } from './authorization.ts';
import { checkInt, checkItems, checkTags, need, present, scopeOf, toDate, type EcsOperationTable } from './common.ts';
import { filterInstances, parseInstanceFilter, type FilterExpr } from './instance-filter.ts';

/** The `include` values DescribeContainerInstances accepts. */
export const CONTAINER_INSTANCE_FIELDS = ['TAGS', 'CONTAINER_INSTANCE_HEALTH'] as const;
/** One `include` value of DescribeContainerInstances. */
export type ContainerInstanceInclude = (typeof CONTAINER_INSTANCE_FIELDS)[number];

const PENDING_STATUSES = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** Resources in ECS's wire form (the domain's view, re-exported for the adapter's tests). */
export { resourcesToApi };

function healthOf(r: ContainerInstanceRecord): ContainerInstanceHealthStatus {
  const status = r.agentConnected ? 'OK' : 'INSUFFICIENT_DATA';
  return {
    overallStatus: status,
    details: [{ type: 'CONTAINER_RUNTIME', status, lastUpdated: toDate(r.lastHeartbeatAt ?? r.registeredAt), lastStatusChange: toDate(r.registeredAt) }],
  };
}

/**
 * A stored container instance as the API shows it, with running and pending task counts
 * taken from `tasks` (those placed on other instances are ignored). Tags and health appear
 * only when `include` asks for them.
 */
export function toApiContainerInstance(
  record: ContainerInstanceRecord,
  tasks: TaskRecord[],
  include: Iterable<ContainerInstanceInclude> = [],
): ContainerInstance {
  const inc = new Set(include);
  const mine = tasks.filter((t) => t.containerInstanceId === record.id);
  const out = toApiInstance(record, {
    running: mine.filter((t) => t.lastStatus === 'RUNNING').length,
    pending: mine.filter((t) => PENDING_STATUSES.has(t.lastStatus)).length,
  });
  if (inc.has('TAGS')) out.tags = record.tags.map((t) => ({ ...t }));
  if (inc.has('CONTAINER_INSTANCE_HEALTH')) out.healthStatus = healthOf(record);
  return out;
}

/**
 * The instance a `containerInstance` member names (an id or an ARN) within `clusterName`:
 * its id and the ARN to report. `id` is undefined when the ARN names another cluster,
 * account or region, or is not a container instance ARN: such an instance is missing here.
 */
export function instanceTarget(ref: string, scope: Scope, clusterName: string): { id?: string; arn: string } {
  if (!ref.startsWith('arn:')) return { id: ref, arn: arns.containerInstance(scope, clusterName, ref) };
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== 'container-instance' || arn.account !== scope.account || arn.region !== scope.region) return { arn: ref };
  if (arn.resource.length === 1) return { id: arn.resource[0], arn: ref };
  if (arn.resource.length === 2 && arn.resource[0] === clusterName) return { id: arn.resource[1], arn: ref };
  return { arn: ref };
}

function readFilter(text: string | undefined): FilterExpr | undefined {
  return text === undefined || text.trim() === '' ? undefined : parseInstanceFilter(text);
}

/** The container instances a request names, as IAM sees them, in the cluster it names. */
const instancesNamed = (i: { cluster?: string; containerInstances?: string[] }, ctx: RequestContext) =>
  (i.containerInstances ?? []).map((ref) => inClusterArn(ctx, 'container-instance', i.cluster, ref));
const cluster = (i: { cluster?: string }, ctx: RequestContext) => [clusterArnOf(ctx, i.cluster)];
const inCluster = (i: { cluster?: string }, ctx: RequestContext) => clusterCondition(ctx, i.cluster);

/** Host ports of a PORTS / PORTS_UDP resource, each a whole number 0-65535. */
function portsOf(r: Resource | undefined, path: string): number[] {
  if (!r) return [];
  return (r.stringSetValue ?? []).map((p, i) => {
    if (!/^\d{1,5}$/.test(p) || Number(p) > 65535) throw EcsErrors.invalidParameter(`${path}.stringSetValue[${i}]: ${p} is not a port.`);
    return Number(p);
  });
}

/** The resources a registration offers: CPU and MEMORY (INTEGER) are required; PORTS and PORTS_UDP (STRINGSET) are the reserved ports; GPU ids. */
function totalResources(list: Resource[] | undefined): Resources {
  const named = new Map<string, { r: Resource; path: string }>();
  (list ?? []).forEach((r, i) => named.set(r.name ?? '', { r, path: `totalResources[${i}]` }));
  const integer = (name: 'CPU' | 'MEMORY') => {
    const found = named.get(name);
    const value = found?.r.integerValue ?? found?.r.longValue ?? found?.r.doubleValue;
    if (value === undefined) throw EcsErrors.invalidParameter(`totalResources must include ${name} with an integerValue.`);
    if (!Number.isInteger(value) || value < 0) throw EcsErrors.invalidParameter(`${found!.path}.integerValue must be a whole number at least 0.`);
    return value;
  };
  const gpus = named.get('GPU')?.r.stringSetValue;
  return {
    cpu: integer('CPU'), memory: integer('MEMORY'),
    ports: portsOf(named.get('PORTS')?.r, named.get('PORTS')?.path ?? ''), portsUdp: portsOf(named.get('PORTS_UDP')?.r, named.get('PORTS_UDP')?.path ?? ''),
    ...(gpus?.length ? { gpus: [...gpus] } : {}),
  };
}

/** The container instance operations, bound to their dependencies. */
export function containerInstanceOperations(deps: EcsDeps): EcsOperationTable {
  return {
    RegisterContainerInstance: {
      authorization: { resources: cluster },
      async handler(input, ctx): Promise<RegisterContainerInstanceResponse> {
        const scope = scopeOf(ctx);
        const document = present(input.instanceIdentityDocument, 'instanceIdentityDocument');
        // A signature given is checked with Wharf's identity document key (documents Wharf signed for its instances).
        const signature = input.instanceIdentityDocumentSignature;
        if (signature !== undefined && deps.identityDocuments && !deps.identityDocuments.verify(document, signature)) {
          throw EcsErrors.invalidParameter('instanceIdentityDocumentSignature is not a valid signature of instanceIdentityDocument.');
        }
        const identity = parseIdentityDocument(document, scope);
        const resources = totalResources(input.totalResources);
        const attributes = (input.attributes ?? []).map((a, i) => ({ name: present(a.name, `attributes[${i}].name`), ...(a.value !== undefined && { value: a.value }) }));
        const tags = (checkTags(input.tags) ?? []).map((t) => ({ key: t.key!, value: t.value ?? '' }));
        const v = input.versionInfo;
        const versionInfo = { agentVersion: v?.agentVersion ?? '', agentHash: v?.agentHash ?? '', dockerVersion: v?.dockerVersion ?? '' };
        const { record, tasks } = await transact(deps.store, async (tx) => {
          const c = await activeCluster(tx, scope, input.cluster);
          const record = await stageApiRegistration(tx, deps, scope, c, {
            identity, resources, attributes, tags, versionInfo, ...(input.containerInstanceArn !== undefined && { containerInstanceArn: input.containerInstanceArn }),
          });
          return { record, tasks: await tx.list<TaskRecord>(keys.tasks(scope, c.name)) };
        });
        return { containerInstance: toApiContainerInstance(record, tasks, ['TAGS']) };
      },
    },

    DescribeContainerInstances: {
      authorization: { resources: instancesNamed, conditions: inCluster },
      async handler(input, ctx): Promise<DescribeContainerInstancesResponse> {
        const scope = scopeOf(ctx);
        const clusterRef = input.cluster;
        const refs = checkItems(need(input.containerInstances, 'containerInstances'), 'containerInstances', { nonEmpty: true, max: 100 })!;
        const include = input.include ?? [];
        return transact(deps.store, async (tx) => {
          const cluster = await activeCluster(tx, scope, clusterRef);
          const tasks = await tx.list<TaskRecord>(keys.tasks(scope, cluster.name));
          const { found, failures } = await describeByReferences(refs, async (ref) => {
            const target = instanceTarget(ref, scope, cluster.name);
            const record = target.id === undefined ? undefined : await tx.get<ContainerInstanceRecord>(keys.instance(scope, cluster.name, target.id));
            return { arn: record?.arn ?? target.arn, value: record };
          });
          return { containerInstances: found.map((r) => toApiContainerInstance(r, tasks, include)), failures };
        });
      },
    },

    ListContainerInstances: {
      authorization: { resources: cluster },
      async handler(input, ctx): Promise<ListContainerInstancesResponse> {
        const scope = scopeOf(ctx);
        const filter = readFilter(input.filter);
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const status = input.status;
        const { instances, tasks } = await transact(deps.store, async (tx) => {
          const cluster = await activeCluster(tx, scope, input.cluster);
          const instances = await tx.list<ContainerInstanceRecord>(keys.instances(scope, cluster.name));
          // Only a filter reads tasks (runningTasksCount, task:group).
          const tasks = filter ? await tx.list<TaskRecord>(keys.tasks(scope, cluster.name)) : [];
          return { instances, tasks };
        });
        const listed = instances.filter((i) => (status ? i.status === status : i.status !== 'INACTIVE'));
        const matching = (filter ? filterInstances(filter, listed, tasks) : listed)
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const page = paginate(matching, (i) => i.id, input.nextToken, maxResults, EcsErrors.invalidParameter);
        return { containerInstanceArns: page.items.map((i) => i.arn), nextToken: page.nextToken };
      },
    },

    DeregisterContainerInstance: {
      authorization: { resources: cluster },
      async handler(input, ctx): Promise<DeregisterContainerInstanceResponse> {
        const scope = scopeOf(ctx);
        const clusterRef = input.cluster;
        const ref = present(input.containerInstance, 'containerInstance');
        const force = input.force ?? false;
        const { record, tasks } = await transact(deps.store, async (tx) => {
          const cluster = await activeCluster(tx, scope, clusterRef);
          const target = instanceTarget(ref, scope, cluster.name);
          const existing = target.id === undefined ? undefined : await tx.get<ContainerInstanceRecord>(keys.instance(scope, cluster.name, target.id));
          if (!existing) throw EcsErrors.invalidParameter(`containerInstance: the referenced container instance ${ref} was not found in cluster ${cluster.name}.`);
          const all = await tx.list<TaskRecord>(keys.tasks(scope, cluster.name));
          const onInstance = all.filter((t) => t.containerInstanceId === existing.id);
          if (!force && onInstance.some((t) => t.lastStatus !== 'STOPPED')) throw EcsErrors.invalidParameter('Found running tasks on the instance.');
          if (existing.status === 'INACTIVE') return { record: existing, tasks: onInstance };
          const deregistered: ContainerInstanceRecord = { ...existing, status: 'INACTIVE', version: existing.version + 1 };
          tx.put(keys.instance(scope, cluster.name, existing.id), deregistered);
          await deps.changes?.instanceChanged?.(tx, deregistered, deps.clock.now());
          return { record: deregistered, tasks: onInstance };
        });
        return { containerInstance: toApiContainerInstance(record, tasks, ['TAGS']) };
      },
    },

    UpdateContainerInstancesState: {
      authorization: { resources: instancesNamed, conditions: inCluster },
      async handler(input, ctx): Promise<UpdateContainerInstancesStateResponse> {
        const scope = scopeOf(ctx);
        const clusterRef = input.cluster;
        const refs = checkItems(need(input.containerInstances, 'containerInstances'), 'containerInstances', { nonEmpty: true, max: 10 })!;
        const status = need(input.status, 'status');
        if (status !== 'ACTIVE' && status !== 'DRAINING') throw EcsErrors.invalidParameter(`status must be one of: ACTIVE, DRAINING. Received: ${status}.`);
        return transact(deps.store, async (tx) => {
          const cluster = await activeCluster(tx, scope, clusterRef);
          const tasks = await tx.list<TaskRecord>(keys.tasks(scope, cluster.name));
          const containerInstances: ContainerInstance[] = [];
          const failures: Failure[] = [];
          for (const ref of refs) {
            const target = instanceTarget(ref, scope, cluster.name);
            const key = target.id === undefined ? undefined : keys.instance(scope, cluster.name, target.id);
            const record = key && (await tx.get<ContainerInstanceRecord>(key));
            if (!key || !record) {
              failures.push({ arn: target.arn, reason: 'MISSING' });
              continue;
            }
            if (record.status !== 'ACTIVE' && record.status !== 'DRAINING') {
              failures.push({
                arn: record.arn,
                reason: record.status,
                detail: `The container instance is ${record.status}; only ACTIVE or DRAINING container instances can be updated.`,
              });
              continue;
            }
            const updated = record.status === status ? record : { ...record, status, version: record.version + 1 };
            if (updated !== record) {
              tx.put(key, updated);
              await deps.changes?.instanceChanged?.(tx, updated, deps.clock.now());
            }
            containerInstances.push(toApiContainerInstance(updated, tasks));
          }
          return { containerInstances, failures };
        });
      },
    },
  };
}

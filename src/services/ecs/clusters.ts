/**
 * The ECS cluster operations: CreateCluster, DescribeClusters, ListClusters, UpdateCluster,
 * UpdateClusterSettings, DeleteCluster. Counts (instances, running and pending tasks) are
 * never stored: they are derived from the instance and task records each time.
 */
import { canonicalJson } from '../../common/index.ts';
import type {
  CapacityProviderStrategyItem, Cluster, ClusterConfiguration, ClusterServiceConnectDefaults, ClusterSetting,
  CreateClusterResponse, DeleteClusterResponse, DescribeClustersResponse, ExecuteCommandConfiguration, KeyValuePair,
  ListClustersResponse, Tag, UpdateClusterResponse, UpdateClusterSettingsResponse,
} from '@aws-sdk/client-ecs';
import { describeByReferences, paginate, type RequestContext } from '../../aws/index.ts';
import { getDoc, listDocs, transact, type Store } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, arns, effectiveSetting, isInternalCluster, settingPrincipalOf, keys, newCluster, parseArn, serviceKeys, stageClusterProviders, type ClusterRecord, type ContainerInstanceRecord, type EcsDeps,
  type Scope, type ServiceRecord, type TaskRecord,
} from '../../ecs/index.ts';
import { clusterArnOf, tagConditions } from './authorization.ts';
import {
  checkInt, checkItems, checkString, checkStrings, checkTags, need, present, scopeOf, type EcsOperationTable,
} from './common.ts';

/** The `include` values DescribeClusters accepts. */
export const CLUSTER_FIELDS = ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'] as const;
/** One `include` value of DescribeClusters. */
export type ClusterInclude = (typeof CLUSTER_FIELDS)[number];

/** What the mutating actions return: the cluster with its settings, configuration and tags. */
const FULL: readonly ClusterInclude[] = ['CONFIGURATIONS', 'SETTINGS', 'TAGS'];

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const NAME_RULE = 'up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.';
const INSIGHTS_VALUES = ['enabled', 'disabled', 'enhanced'] as const;
const NOT_IDEMPOTENT = 'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).';

type LaunchKind = 'EC2' | 'FARGATE' | 'EXTERNAL';
const LAUNCH_KINDS: readonly LaunchKind[] = ['EC2', 'FARGATE', 'EXTERNAL'];
const PENDING_STATUSES = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** Counts derived from a cluster's instance and task records. */
export interface ClusterCounts {
  /** ACTIVE and DRAINING instances. */
  registeredContainerInstances: number;
  /** Tasks whose lastStatus is RUNNING, by launch type. */
  running: Record<LaunchKind, number>;
  /** Tasks whose lastStatus is PROVISIONING, PENDING or ACTIVATING, by launch type. */
  pending: Record<LaunchKind, number>;
  /** Services whose status is ACTIVE, by launch type. */
  activeServices: Record<LaunchKind, number>;
  /** Services deleted but still stopping their tasks, by launch type. */
  drainingServices: Record<LaunchKind, number>;
}

const zeroByLaunch = (): Record<LaunchKind, number> => ({ EC2: 0, FARGATE: 0, EXTERNAL: 0 });

/** Derives a cluster's counts from its instance, task and service records. */
export function countCluster(instances: ContainerInstanceRecord[], tasks: TaskRecord[], services: ServiceRecord[] = []): ClusterCounts {
  const counts: ClusterCounts = {
    registeredContainerInstances: instances.filter((i) => i.status === 'ACTIVE' || i.status === 'DRAINING').length,
    running: zeroByLaunch(),
    pending: zeroByLaunch(),
    activeServices: zeroByLaunch(),
    drainingServices: zeroByLaunch(),
  };
  for (const s of services) {
    if (s.status === 'ACTIVE') counts.activeServices[s.launchType]++;
    else if (s.status === 'DRAINING') counts.drainingServices[s.launchType]++;
  }
  for (const t of tasks) {
    const kind: LaunchKind = LAUNCH_KINDS.includes(t.launchType) ? t.launchType : 'EC2';
    if (t.lastStatus === 'RUNNING') counts.running[kind]++;
    else if (PENDING_STATUSES.has(t.lastStatus)) counts.pending[kind]++;
  }
  return counts;
}

/** Reads a cluster's instances, tasks and services (outside any transaction) and counts them. */
export async function readClusterCounts(store: Store, scope: Scope, clusterName: string): Promise<ClusterCounts> {
  const [instances, tasks, services] = await Promise.all([
    listDocs<ContainerInstanceRecord>(store, keys.instances(scope, clusterName)),
    listDocs<TaskRecord>(store, keys.tasks(scope, clusterName)),
    listDocs<ServiceRecord>(store, serviceKeys.services(scope, clusterName)),
  ]);
  return countCluster(instances.map((d) => d.value), tasks.map((d) => d.value), services.map((d) => d.value));
}

const sum = (by: Record<LaunchKind, number>) => by.EC2 + by.FARGATE + by.EXTERNAL;

/** The STATISTICS list, in the names and order ECS returns them. */
function statistics(c: ClusterCounts): KeyValuePair[] {
  const kv = (name: string, value: number): KeyValuePair => ({ name, value: String(value) });
  return [
    kv('runningEC2TasksCount', c.running.EC2), kv('runningFargateTasksCount', c.running.FARGATE),
    kv('pendingEC2TasksCount', c.pending.EC2), kv('pendingFargateTasksCount', c.pending.FARGATE),
    kv('runningExternalTasksCount', c.running.EXTERNAL), kv('pendingExternalTasksCount', c.pending.EXTERNAL),
    kv('runningManagedInstancesTasksCount', 0), kv('pendingManagedInstancesTasksCount', 0),
    kv('activeEC2ServiceCount', c.activeServices.EC2), kv('activeFargateServiceCount', c.activeServices.FARGATE),
    kv('drainingEC2ServiceCount', c.drainingServices.EC2), kv('drainingFargateServiceCount', c.drainingServices.FARGATE),
    kv('activeExternalServiceCount', 0), kv('drainingExternalServiceCount', 0),
    kv('activeManagedInstancesServiceCount', 0), kv('drainingManagedInstancesServiceCount', 0),
  ];
}

const EMPTY_COUNTS: ClusterCounts = {
  registeredContainerInstances: 0, running: zeroByLaunch(), pending: zeroByLaunch(), activeServices: zeroByLaunch(), drainingServices: zeroByLaunch(),
};

/**
 * A stored cluster as the API shows it. Settings, configuration, tags, statistics and
 * attachments appear only when `include` asks for them, as DescribeClusters does.
 */
export function toApiCluster(record: ClusterRecord, counts: ClusterCounts = EMPTY_COUNTS, include: Iterable<ClusterInclude> = []): Cluster {
  const inc = new Set(include);
  const cluster: Cluster = {
    clusterArn: record.arn,
    clusterName: record.name,
    status: record.status,
    registeredContainerInstancesCount: counts.registeredContainerInstances,
    runningTasksCount: sum(counts.running),
    pendingTasksCount: sum(counts.pending),
    activeServicesCount: sum(counts.activeServices),
    statistics: inc.has('STATISTICS') ? statistics(counts) : [],
    capacityProviders: [...record.capacityProviders],
    defaultCapacityProviderStrategy: record.defaultCapacityProviderStrategy.map((s) => ({ ...s })),
  };
  if (inc.has('TAGS')) cluster.tags = record.tags.map((t) => ({ ...t }));
  if (inc.has('SETTINGS')) cluster.settings = record.settings.map((s) => ({ ...s }));
  if (inc.has('CONFIGURATIONS') && record.configuration) cluster.configuration = structuredClone(record.configuration);
  if (inc.has('ATTACHMENTS')) cluster.attachments = [];
  if (record.serviceConnectDefaults) cluster.serviceConnectDefaults = { ...record.serviceConnectDefaults };
  return cluster;
}

// ---- reading the request members (types, required members and enums are the model's) ----

/** Drops members whose value is undefined, so stored and compared shapes are canonical. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `settings`: containerInsights (the model's only name) with one of its values; the last of a name wins. */
function readSettings(list: ClusterSetting[] | undefined): ClusterSetting[] | undefined {
  if (!list) return undefined;
  const byName = new Map<string, ClusterSetting>();
  list.forEach((s, i) => {
    const name = need(s.name, `settings[${i}].name`);
    const value = present(s.value, `settings[${i}].value`);
    if (!(INSIGHTS_VALUES as readonly string[]).includes(value)) {
      throw EcsErrors.invalidParameter(`settings[${i}].value must be one of: ${INSIGHTS_VALUES.join(', ')}. Received: ${value}.`);
    }
    byName.set(name, { name, value });
  });
  return [...byName.values()];
}

function readExecuteCommand(c: ExecuteCommandConfiguration | undefined): ExecuteCommandConfiguration | undefined {
  if (!c) return undefined;
  if (c.logging === 'OVERRIDE' && !c.logConfiguration) {
    throw EcsErrors.invalidParameter('configuration.executeCommandConfiguration.logConfiguration must be provided when logging is OVERRIDE.');
  }
  return compact({ kmsKeyId: c.kmsKeyId, logging: c.logging, logConfiguration: c.logConfiguration && compact({ ...c.logConfiguration }) });
}

function readConfiguration(c: ClusterConfiguration | undefined): ClusterConfiguration | undefined {
  if (!c) return undefined;
  const storage = c.managedStorageConfiguration;
  return compact({
    executeCommandConfiguration: readExecuteCommand(c.executeCommandConfiguration),
    managedStorageConfiguration: storage && compact({ kmsKeyId: storage.kmsKeyId, fargateEphemeralStorageKmsKeyId: storage.fargateEphemeralStorageKmsKeyId }),
  });
}

/** `undefined`: not given; `null`: given as "" (UpdateCluster removes the defaults then). */
function readServiceConnectDefaults(s: { namespace?: string } | undefined): ClusterServiceConnectDefaults | null | undefined {
  if (!s) return undefined;
  const namespace = checkString(need(s.namespace, 'serviceConnectDefaults.namespace'), 'serviceConnectDefaults.namespace', { max: 1024 })!;
  if (namespace === '') return null;
  if (!namespace.startsWith('arn:') && /[<>"/]/.test(namespace)) {
    throw EcsErrors.invalidParameter('serviceConnectDefaults.namespace is invalid: it can\'t include >, <, " or /.');
  }
  return { namespace };
}

export function readCapacityProviders(list: string[] | undefined): string[] | undefined {
  if (!checkStrings(list, 'capacityProviders', { min: 1, max: 255 })) return undefined;
  const seen = new Set<string>();
  list!.forEach((name, i) => {
    // Auto Scaling group providers are looked up where the cluster is written (stageClusterProviders).
    checkString(name, `capacityProviders[${i}]`, { min: 1, max: 255 });
    if (seen.has(name)) throw EcsErrors.invalidParameter(`capacityProviders: duplicate capacity provider ${name}.`);
    seen.add(name);
  });
  return list;
}

/** defaultCapacityProviderStrategy: at most 20 items (weight and base ranges are the model's). */
export function readStrategy(list: CapacityProviderStrategyItem[] | undefined, providers: string[]): CapacityProviderStrategyItem[] | undefined {
  if (!checkItems(list, 'defaultCapacityProviderStrategy', { max: 20 })) return undefined;
  const seen = new Set<string>();
  let withBase = 0;
  return list!.map((item, i) => {
    const path = `defaultCapacityProviderStrategy[${i}].capacityProvider`;
    const capacityProvider = checkString(present(item.capacityProvider, path), path, { max: 255 })!;
    if (!providers.includes(capacityProvider)) {
      throw EcsErrors.invalidParameter(
        `${path}: capacity provider ${capacityProvider} is not associated with the cluster; add it to capacityProviders first.`,
      );
    }
    if (seen.has(capacityProvider)) throw EcsErrors.invalidParameter(`defaultCapacityProviderStrategy: duplicate capacity provider ${capacityProvider}.`);
    seen.add(capacityProvider);
    if (item.base !== undefined && item.base > 0 && ++withBase > 1) {
      throw EcsErrors.invalidParameter('defaultCapacityProviderStrategy: only one capacity provider in a strategy can have a base defined.');
    }
    return { capacityProvider, weight: item.weight ?? 0, base: item.base ?? 0 };
  });
}

// ---- comparing for CreateCluster's idempotency ----

const sameSet = <T>(a: T[], b: T[], key: (x: T) => string) =>
  canonicalJson([...a].sort((x, y) => (key(x) < key(y) ? -1 : 1))) === canonicalJson([...b].sort((x, y) => (key(x) < key(y) ? -1 : 1)));

interface CreateArgs {
  settings?: ClusterSetting[];
  configuration?: ClusterConfiguration;
  capacityProviders?: string[];
  defaultCapacityProviderStrategy?: CapacityProviderStrategyItem[];
  serviceConnectDefaults?: ClusterServiceConnectDefaults;
  tags?: Tag[];
}

/** True when every member the request gives matches the existing cluster (members left out never conflict). */
function consistent(existing: ClusterRecord, a: CreateArgs): boolean {
  if (a.settings && !sameSet(a.settings, existing.settings, (s) => s.name ?? '')) return false;
  if (a.configuration && canonicalJson(a.configuration) !== canonicalJson(existing.configuration ?? {})) return false;
  if (a.capacityProviders && !sameSet(a.capacityProviders, existing.capacityProviders, (s) => s)) return false;
  if (a.defaultCapacityProviderStrategy && !sameSet(a.defaultCapacityProviderStrategy, existing.defaultCapacityProviderStrategy, (s) => s.capacityProvider ?? '')) return false;
  if (a.serviceConnectDefaults && canonicalJson(a.serviceConnectDefaults) !== canonicalJson(existing.serviceConnectDefaults ?? {})) return false;
  if (a.tags && !sameSet(a.tags, existing.tags, (t) => t.key ?? '')) return false;
  return true;
}

/** Settings after an update: each given setting replaces the one of the same name. */
function mergeSettings(existing: ClusterSetting[], updates: ClusterSetting[]): ClusterSetting[] {
  const byName = new Map(existing.map((s) => [s.name, s]));
  for (const s of updates) byName.set(s.name, s);
  return [...byName.values()];
}

/** What UpdateCluster may change; UpdateClusterSettings changes the settings alone. */
interface ClusterUpdate {
  settings?: ClusterSetting[];
  configuration?: ClusterConfiguration;
  /** `null` removes them (an empty namespace in the request). */
  serviceConnectDefaults?: ClusterServiceConnectDefaults | null;
}

/** A cluster after an update: settings merged by name, configuration merged, service connect defaults replaced or removed. */
function updatedCluster(existing: ClusterRecord, update: ClusterUpdate): ClusterRecord {
  const updated: ClusterRecord = { ...existing };
  if (update.settings) updated.settings = mergeSettings(existing.settings, update.settings);
  if (update.configuration) updated.configuration = compact({ ...existing.configuration, ...update.configuration });
  if (update.serviceConnectDefaults === null) delete updated.serviceConnectDefaults;
  else if (update.serviceConnectDefaults) updated.serviceConnectDefaults = update.serviceConnectDefaults;
  return updated;
}

/**
 * A DescribeClusters entry taken apart: the cluster name and ARN it names, and whether it is
 * in the caller's account and region. Undefined when it is an ARN but not a cluster's.
 */
function clusterTarget(ref: string, scope: Scope): { name: string; arn: string; local: boolean } | undefined {
  if (!ref.startsWith('arn:')) return { name: ref, arn: arns.cluster(scope, ref), local: !isInternalCluster(ref) };
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== 'cluster' || arn.resource.length !== 1) return undefined;
  return { name: arn.resource[0], arn: ref, local: arn.account === scope.account && arn.region === scope.region && !isInternalCluster(arn.resource[0]) };
}

/** The cluster operations, bound to their dependencies, each authorized on the cluster it names. */
export function clusterOperations(deps: EcsDeps): EcsOperationTable {
  const withCounts = async (scope: Scope, record: ClusterRecord, include: readonly ClusterInclude[]) =>
    toApiCluster(record, await readClusterCounts(deps.store, scope, record.name), include);

  /** UpdateCluster and UpdateClusterSettings: applies `update` to the ACTIVE cluster `ref` names, returns it in full. */
  const updateCluster = async (scope: Scope, ref: string, update: ClusterUpdate): Promise<{ cluster: Cluster }> => {
    const record = await transact(deps.store, async (tx) => {
      const existing = await activeCluster(tx, scope, ref);
      const updated = updatedCluster(existing, update);
      tx.put(keys.cluster(scope, existing.name), updated);
      return updated;
    });
    return { cluster: await withCounts(scope, record, FULL) };
  };
  const cluster = (input: { cluster?: string }, ctx: RequestContext) => [clusterArnOf(ctx, input.cluster)];

  return {
    CreateCluster: {
      authorization: {
        resources: (i, ctx) => [clusterArnOf(ctx, i.clusterName)],
        conditions: (i) => ({ ...tagConditions(i.tags), 'ecs:capacity-provider': i.capacityProviders?.length ? i.capacityProviders : undefined }),
      },
      async handler(input, ctx): Promise<CreateClusterResponse> {
        const scope = scopeOf(ctx);
        const name = checkString(input.clusterName, 'clusterName', { pattern: CLUSTER_NAME, patternText: NAME_RULE }) ?? 'default';
        const tags = checkTags(input.tags);
        const settings = readSettings(input.settings);
        const configuration = readConfiguration(input.configuration);
        const capacityProviders = readCapacityProviders(input.capacityProviders);
        const strategy = readStrategy(input.defaultCapacityProviderStrategy, capacityProviders ?? []);
        const scd = readServiceConnectDefaults(input.serviceConnectDefaults) ?? undefined;
        const args: CreateArgs = { settings, configuration, capacityProviders, defaultCapacityProviderStrategy: strategy, serviceConnectDefaults: scd, tags };
        const record = await transact(deps.store, async (tx) => {
          const key = keys.cluster(scope, name);
          const existing = await tx.get<ClusterRecord>(key);
          if (existing?.status === 'ACTIVE') {
            if (!consistent(existing, args)) throw EcsErrors.invalidParameter(NOT_IDEMPOTENT);
            return existing;
          }
          const defaults = newCluster(scope, name, deps.clock.now());
          // ECS's containerInsights account setting is the default of a new cluster's.
          const insights = settings ? undefined : await effectiveSetting(tx, scope, settingPrincipalOf(ctx.principal.arn), 'containerInsights');
          const created: ClusterRecord = compact({
            ...defaults,
            settings: settings ?? [{ name: 'containerInsights', value: insights }],
            configuration,
            serviceConnectDefaults: scd,
            capacityProviders: capacityProviders ?? [],
            defaultCapacityProviderStrategy: strategy ?? [],
            tags: tags ?? [],
          });
          await stageClusterProviders(tx, scope, name, created.capacityProviders);
          tx.put(key, created);
          return created;
        });
        return { cluster: await withCounts(scope, record, FULL) };
      },
    },

    DescribeClusters: {
      authorization: { resources: (i, ctx) => (i.clusters?.length ? i.clusters : ['default']).map((ref) => clusterArnOf(ctx, ref)) },
      async handler(input, ctx): Promise<DescribeClustersResponse> {
        const scope = scopeOf(ctx);
        const refs = checkItems(input.clusters, 'clusters', { max: 100 }) ?? [];
        const include = input.include ?? [];
        const { found, failures } = await describeByReferences(refs.length ? refs : ['default'], async (ref) => {
          const target = clusterTarget(ref, scope);
          if (!target) return { arn: ref };
          const doc = target.local ? await getDoc<ClusterRecord>(deps.store, keys.cluster(scope, target.name)) : undefined;
          return { arn: target.arn, value: doc && (await withCounts(scope, doc.value, include)) };
        });
        return { clusters: found, failures };
      },
    },

    ListClusters: {
      async handler(input, ctx): Promise<ListClustersResponse> {
        const scope = scopeOf(ctx);
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const active = (await listDocs<ClusterRecord>(deps.store, keys.clusters(scope))).map((d) => d.value)
          .filter((c) => c.status === 'ACTIVE' && !isInternalCluster(c.name));
        const page = paginate(active, (c) => c.name, input.nextToken, maxResults, EcsErrors.invalidParameter);
        return { clusterArns: page.items.map((c) => c.arn), nextToken: page.nextToken };
      },
    },

    UpdateCluster: {
      authorization: { resources: cluster },
      async handler(input, ctx): Promise<UpdateClusterResponse> {
        const ref = present(input.cluster, 'cluster');
        const update = {
          settings: readSettings(input.settings),
          configuration: readConfiguration(input.configuration),
          serviceConnectDefaults: readServiceConnectDefaults(input.serviceConnectDefaults),
        };
        return updateCluster(scopeOf(ctx), ref, update);
      },
    },

    UpdateClusterSettings: {
      authorization: { resources: cluster },
      async handler(input, ctx): Promise<UpdateClusterSettingsResponse> {
        const ref = present(input.cluster, 'cluster');
        const settings = checkItems(need(input.settings, 'settings'), 'settings', { nonEmpty: true });
        return updateCluster(scopeOf(ctx), ref, { settings: readSettings(settings) });
      },
    },

    DeleteCluster: {
      authorization: { resources: cluster },
      async handler(input, ctx): Promise<DeleteClusterResponse> {
        const scope = scopeOf(ctx);
        const ref = present(input.cluster, 'cluster');
        const { record, counts } = await transact(deps.store, async (tx) => {
          const existing = await activeCluster(tx, scope, ref);
          const instances = await tx.list<ContainerInstanceRecord>(keys.instances(scope, existing.name));
          const blocking = instances.some((i) => (i.status === 'ACTIVE' || i.status === 'DRAINING') && !i.autoAttached);
          if (blocking) throw EcsErrors.clusterContainsInstances();
          const services = await tx.list<ServiceRecord>(serviceKeys.services(scope, existing.name));
          if (services.some((s) => s.status === 'ACTIVE' || s.status === 'DRAINING')) throw EcsErrors.clusterContainsServices();
          const tasks = await tx.list<TaskRecord>(keys.tasks(scope, existing.name));
          if (tasks.some((t) => t.lastStatus !== 'STOPPED')) throw EcsErrors.clusterContainsTasks();
          const after: ContainerInstanceRecord[] = [];
          for (const i of instances) {
            if (!i.autoAttached || i.status === 'INACTIVE') {
              after.push(i);
              continue;
            }
            const detached: ContainerInstanceRecord = {
              ...i,
              status: 'INACTIVE',
              statusReason: 'The cluster was deleted.',
              version: i.version + 1,
            };
            tx.put(keys.instance(scope, existing.name, i.id), detached);
            await deps.changes?.instanceChanged?.(tx, detached, deps.clock.now());
            after.push(detached);
          }
          const deleted: ClusterRecord = { ...existing, status: 'INACTIVE' };
          await stageClusterProviders(tx, scope, existing.name, []);
          tx.put(keys.cluster(scope, existing.name), deleted);
          return { record: deleted, counts: countCluster(after, tasks, services) };
        });
        return { cluster: toApiCluster(record, counts, FULL) };
      },
    },
  };
}

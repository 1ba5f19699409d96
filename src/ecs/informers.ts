/**
 * The control plane's one shared view of ECS's moving records: tasks, container instances
 * and services, each an `Informer` (list at R, watch from R+1, decoded, indexed). Created once
 * by the control plane and handed to whoever reads them — RunTask's placement, the service
 * controller, task retention, the agent link — so no part keeps a cache of its own of the same
 * watch, and none lists a whole cluster to answer "which tasks of this service / on this
 * instance".
 *
 *   store ──watch ecs/tasks/──────▶ tasks      by containerInstance (not STOPPED) · service · group · cluster · lastStatus
 *         ──watch ecs/instances/──▶ instances  by cluster
 *         ──watch ecs/services/───▶ services   by cluster
 *
 * Index values carry the cluster's place in the key (`account/region/cluster`), so two
 * accounts' clusters of one name never share an entry; each lists its documents in key order
 * (within a cluster, by id), as the store would. The store stays the truth: a write
 * guards on the revisions it read here, and a reader that must see a write of its own waits
 * for its revision (`waitForRevision`) or for the store's current one (`catchUp`).
 */
import type { TaskSpec } from '../common/index.ts';
import { Informer, type Doc, type KeyValue, type Store } from '../state/index.ts';
import { keys, type ContainerInstanceRecord, type Scope, type TaskRecord } from './records.ts';
import { serviceKeys, type ServiceRecord } from './service-records.ts';

/** The names of the tasks informer's indexes, for `tasks.byIndex(name, value)`. */
export const TASK_INDEX = {
  /** Instance id → its tasks that are not STOPPED: what occupies it, and what its agent must run. */
  containerInstance: 'containerInstance',
  /** `account/region/cluster/name` → the service's tasks (group `service:<name>`, started by an `ecs-svc/` deployment). */
  service: 'service',
  /** `account/region/cluster/group` → the tasks of one task group. */
  group: 'group',
  /** `account/region/cluster` → every task of the cluster. */
  cluster: 'cluster',
  /** `lastStatus` → the tasks in it (STOPPED ones are what retention looks at). */
  lastStatus: 'lastStatus',
} as const;

/** The name of the cluster index of the instances and services informers. */
export const CLUSTER_INDEX = 'cluster';

/** `account/region/cluster`: a cluster's place in the key of everything stored under it. */
export const clusterPath = (scope: Scope, cluster: string): string => `${scope.account}/${scope.region}/${cluster}`;

/** The `account/region/cluster` part of a key `<prefix>account/region/cluster/<id>`. */
const clusterPathOf = (prefix: string, key: string): string => key.slice(prefix.length, key.lastIndexOf('/'));

const SERVICE_GROUP = 'service:';

/** The service-index value of a stored task, or undefined when no service's deployment started it. */
export function serviceIndexOf(task: TaskRecord, key: string): string | undefined {
  if (!task.group.startsWith(SERVICE_GROUP) || !task.startedBy?.startsWith('ecs-svc/')) return undefined;
  return `${clusterPathOf(keys.allTasks, key)}/${task.group.slice(SERVICE_GROUP.length)}`;
}

/** The service key a service-index value names. */
export const serviceKeyOfIndex = (value: string): string => `${serviceKeys.allServices}${value}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored task, or undefined (reported and left out) when it lacks what the indexes read. */
function decodeTask(kv: KeyValue): TaskRecord | undefined {
  const v: unknown = JSON.parse(kv.value);
  if (!isObject(v) || typeof v.arn !== 'string' || typeof v.group !== 'string' || typeof v.lastStatus !== 'string') return undefined;
  if (!isObject(v.spec) || (v.containerInstanceId !== undefined && typeof v.containerInstanceId !== 'string')) return undefined;
  return v as unknown as TaskRecord;
}

function decodeInstance(kv: KeyValue): ContainerInstanceRecord | undefined {
  const v: unknown = JSON.parse(kv.value);
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.status !== 'string' || !isObject(v.remainingResources)) return undefined;
  return v as unknown as ContainerInstanceRecord;
}

function decodeService(kv: KeyValue): ServiceRecord | undefined {
  const v: unknown = JSON.parse(kv.value);
  if (!isObject(v) || typeof v.name !== 'string' || typeof v.status !== 'string' || !Array.isArray(v.deployments)) return undefined;
  return v as unknown as ServiceRecord;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Tasks of one task definition run the same spec unless overridden: held once (frozen) rather
 * than once per task, a third of a task's memory at 100,000 tasks.
 */
class SpecInterner {
  private readonly byDefinition = new Map<string, { json: string; spec: TaskSpec }>();

  intern(task: TaskRecord): TaskRecord {
    const json = JSON.stringify(task.spec);
    const held = this.byDefinition.get(task.taskDefinitionArn);
    if (held?.json === json) task.spec = held.spec;
    else {
      if (this.byDefinition.size >= 4096) this.byDefinition.clear();
      this.byDefinition.set(task.taskDefinitionArn, { json, spec: deepFreeze(task.spec) });
    }
    return task;
  }
}

/** How the ECS informers are made (the defaults suit the control plane). */
export interface EcsInformersOptions {
  /** Receives undecodable records and failed listings (they are retried). Default: console.error. */
  onError?: (error: unknown) => void;
  /** Keys per range page while listing. Default 1000. */
  pageSize?: number;
}

/** The shared tasks, container instances and services informers of one control plane (see the file comment). */
export class EcsInformers {
  /** Every stored task, indexed by TASK_INDEX. */
  readonly tasks: Informer<TaskRecord>;
  /** Every container instance, indexed by cluster: what launches place against. */
  readonly instances: Informer<ContainerInstanceRecord>;
  /** Every service, indexed by cluster. */
  readonly services: Informer<ServiceRecord>;
  private readonly all: Informer<unknown>[];

  constructor(private readonly store: Store, options: EcsInformersOptions = {}) {
    const common = { store, onError: options.onError, pageSize: options.pageSize };
    const specs = new SpecInterner();
    this.tasks = new Informer<TaskRecord>({
      ...common,
      prefix: keys.allTasks,
      decode: (kv) => {
        const task = decodeTask(kv);
        return task && specs.intern(task);
      },
      indexes: {
        [TASK_INDEX.containerInstance]: (t) => (t.containerInstanceId && t.lastStatus !== 'STOPPED' ? [t.containerInstanceId] : []),
        [TASK_INDEX.service]: (t, key) => {
          const service = serviceIndexOf(t, key);
          return service === undefined ? [] : [service];
        },
        [TASK_INDEX.group]: (t, key) => [`${clusterPathOf(keys.allTasks, key)}/${t.group}`],
        [TASK_INDEX.cluster]: (_t, key) => [clusterPathOf(keys.allTasks, key)],
        [TASK_INDEX.lastStatus]: (t) => [t.lastStatus],
      },
    });
    this.instances = new Informer<ContainerInstanceRecord>({
      ...common,
      prefix: keys.allInstances,
      decode: decodeInstance,
      indexes: { [CLUSTER_INDEX]: (_i, key) => [clusterPathOf(keys.allInstances, key)] },
    });
    this.services = new Informer<ServiceRecord>({
      ...common,
      prefix: serviceKeys.allServices,
      decode: decodeService,
      indexes: { [CLUSTER_INDEX]: (_s, key) => [clusterPathOf(serviceKeys.allServices, key)] },
    });
    this.all = [this.tasks, this.instances, this.services] as Informer<unknown>[];
  }

  /**
   * Lists and starts following all three; resolves once each has its first listing. Calling it
   * again is harmless and only waits for that, so a reader may call it before its first read.
   */
  async start(): Promise<void> {
    await Promise.all(this.all.map((i) => i.start()));
  }

  /** Stops following the store; the contents stay readable, waits reject. */
  close(): void {
    for (const informer of this.all) informer.close();
  }

  /** Resolves once every subscriber of the three has been handed every change they took so far. */
  async flushed(): Promise<void> {
    await Promise.all(this.all.map((i) => i.flushed()));
  }

  /** Resolves once all three reflect every change up to `revision` (e.g. a commit of one's own). */
  async waitForRevision(revision: number): Promise<void> {
    await Promise.all(this.all.map((i) => i.waitForRevision(revision)));
  }

  /** Resolves once all three reflect everything committed before this call: after a lost race, before deciding again. */
  async catchUp(): Promise<void> {
    await this.start();
    await this.waitForRevision(await this.store.revision());
  }

  /**
   * Reads `key` from the store and waits until all three reflect everything committed before
   * that read: one round trip to the store for a reader that needs one current document (the
   * cluster) and then the informers' view as of that moment (its tasks).
   */
  async catchUpReading<T>(key: string): Promise<T | undefined> {
    await this.start();
    const { kvs, revision } = await this.store.range(key, { limit: 1 });
    await this.waitForRevision(revision);
    return kvs[0]?.key === key ? (JSON.parse(kvs[0].value) as T) : undefined;
  }

  /** The tasks on container instance `instanceId` that are not STOPPED. */
  tasksOn(instanceId: string): Doc<TaskRecord>[] {
    return this.tasks.byIndex(TASK_INDEX.containerInstance, instanceId);
  }

  /** The tasks of service `name` (all its deployments', STOPPED ones included), in key order. */
  tasksOfService(scope: Scope, cluster: string, name: string): Doc<TaskRecord>[] {
    return this.tasks.byIndex(TASK_INDEX.service, `${clusterPath(scope, cluster)}/${name}`);
  }

  /** The tasks of task group `group` in the cluster. */
  tasksInGroup(scope: Scope, cluster: string, group: string): Doc<TaskRecord>[] {
    return this.tasks.byIndex(TASK_INDEX.group, `${clusterPath(scope, cluster)}/${group}`);
  }

  /** Every task of the cluster, by id. */
  tasksOfCluster(scope: Scope, cluster: string): Doc<TaskRecord>[] {
    return this.tasks.byIndex(TASK_INDEX.cluster, clusterPath(scope, cluster));
  }

  /**
   * The cluster's container instances in key order, with the revisions they were seen at (a
   * launch guards on them): ties and "the closest matching instance" do not depend on the order
   * updates arrived in.
   */
  instancesOf(scope: Scope, cluster: string): Doc<ContainerInstanceRecord>[] {
    return this.instances.byIndex(CLUSTER_INDEX, clusterPath(scope, cluster));
  }

  /** The cluster's services (INACTIVE ones included). */
  servicesOf(scope: Scope, cluster: string): Doc<ServiceRecord>[] {
    return this.services.byIndex(CLUSTER_INDEX, clusterPath(scope, cluster));
  }
}

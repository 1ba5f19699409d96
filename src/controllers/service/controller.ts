/**
 * The service controller: the thin shell around `reconcileService`. Watches on services,
 * tasks and container instances only queue the affected service's key; a worker reads the
 * service, its tasks and the cluster's instances, asks the pure reconciler what to do, and
 * applies the plan — stops, a rollback deployment, launches placed by the scheduler, events —
 * in one transaction guarded on everything it read. A lost race re-reads and decides again,
 * so a crash or restart at any moment neither loses nor duplicates work.
 *
 *   store watch ──▶ WorkQueue(service key) ──▶ read ──▶ reconcileService ──▶ one transaction
 *                        ▲                                        │
 *                        └──────── wakeAt (grace, throttle, instance loss) ◀──┘
 */
import type { Failure } from '@aws-sdk/client-ecs';
import { AGENT_RECONNECT_MAX_MS } from '../../common/index.ts';
import { listDocs, transact, type Doc, type Tx, type WatchEvent } from '../../state/index.ts';
import {
  keys, putService, resolveTaskDefinition, scopeOfService, serviceGroup, serviceKeys, snapshotOf, stageServiceLaunch, stageStopTask,
  startDeployment, withEvent, type ClusterRecord, type ContainerInstanceRecord, type DeploymentRecord, type EcsDeps, type ServiceRecord,
  type TaskRecord,
} from '../../ecs/index.ts';
import { WorkQueue } from '../work-queue.ts';
import { messages } from './messages.ts';
import { reconcileService, type ObservedInstance, type ObservedTask, type ReconcileSettings, type ServicePlan } from './reconcile.ts';

export interface ServiceControllerOptions {
  deps: EcsDeps;
  settings: ReconcileSettings;
  /** Every service is reconciled this often as well, whatever the watches said (level-triggered safety net). */
  resyncMs?: number;
  log?: (message: string) => void;
}

/** Keeps every service's tasks converging on what the service asks for. */
export class ServiceController {
  private readonly queue: WorkQueue;
  /** Service keys by the cluster part of their key (`account/region/cluster`). */
  private readonly byCluster = new Map<string, Set<string>>();
  private readonly unwatch: Array<() => void> = [];
  private resync?: NodeJS.Timeout;

  /** What the reconciler is given: the options' settings, with agents given time to reconnect after this start. */
  private readonly settings: ReconcileSettings;

  constructor(private readonly o: ServiceControllerOptions) {
    const reconnect = 2 * AGENT_RECONNECT_MAX_MS;
    this.settings = { lossNotBefore: o.deps.clock.now() + reconnect, ...o.settings };
    this.queue = new WorkQueue({ work: (key) => this.reconcile(key), log: (m) => o.log?.(`service controller: ${m}`) });
  }

  /** Starts watching and queues every service once. */
  async start(): Promise<void> {
    const { store } = this.o.deps;
    this.unwatch.push(store.watch(serviceKeys.allServices, (e) => this.onService(e)));
    this.unwatch.push(store.watch(keys.allTasks, (e) => this.onTask(e)));
    this.unwatch.push(store.watch(keys.allInstances, (e) => this.onInstance(e)));
    this.resyncAll();
    this.resync = setInterval(() => this.resyncAll(), this.o.resyncMs ?? 30_000);
    this.resync.unref();
  }

  /** Stops watching; resolves once work in progress is done. */
  async close(): Promise<void> {
    clearInterval(this.resync);
    for (const u of this.unwatch) u();
    await this.queue.close();
  }

  /** Resolves when no service is queued or being reconciled (for tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Reconciles one service now; resolves to when (ms from now) it wants to be looked at again. */
  async reconcile(key: string): Promise<number | undefined> {
    const { deps } = this.o;
    const settings = this.settings;
    const wakeAt = await transact(deps.store, async (tx) => {
      const service = await tx.get<ServiceRecord>(key);
      if (!service || service.status === 'INACTIVE') return undefined;
      const scope = scopeOfService(service);
      const now = deps.clock.now();
      // The service's own tasks guard the commit; other tasks' reports do not disturb it.
      const group = serviceGroup(service.name);
      const taskDocs = (await listDocs<TaskRecord>(deps.store, keys.tasks(scope, service.clusterName)))
        .filter((d) => d.value.group === group && d.value.startedBy?.startsWith('ecs-svc/'));
      for (const d of taskDocs) tx.guard(d.key, d.modRevision);
      const instanceDocs = await deps.instances.list(scope, service.clusterName);
      // Tasks are replaced because of instances that are away or draining: if one comes back meanwhile, decide again.
      for (const d of instanceDocs) if (!d.value.agentConnected || d.value.status !== 'ACTIVE') tx.guard(d.key, d.modRevision);
      const eligible = await this.daemonEligibility(tx, service, instanceDocs);
      const plan = reconcileService({
        service,
        tasks: taskDocs.map((d) => observeTask(d.value)),
        instances: instanceDocs.map((d) => observeInstance(d.value, eligible)),
        now,
        ids: deps.ids,
        settings,
      });
      await this.apply(tx, plan, taskDocs.map((d) => d.value), instanceDocs, now);
      return plan.wakeAt;
    });
    return wakeAt === undefined ? undefined : wakeAt - deps.clock.now();
  }

  /** Stages a plan: stops, a rollback deployment, launches, and the service record. */
  private async apply(tx: Tx, plan: ServicePlan, tasks: TaskRecord[], instanceDocs: Doc<ContainerInstanceRecord>[], now: number): Promise<void> {
    const { deps } = this.o;
    const byArn = new Map(tasks.map((t) => [t.arn, t]));
    for (const s of plan.stop) await stageStopTask(tx, byArn.get(s.taskArn)!, { stopCode: s.stopCode, reason: s.reason }, now);
    let service = plan.service;
    let changed = plan.changed;
    const scope = scopeOfService(service);
    const target = service.lastCompleted;
    if (plan.rollback && target) {
      const td = await resolveTaskDefinition(tx, scope, target.spec.taskDefinition);
      service = startDeployment(tx, service, target.spec, td, deps.ids, now, { reason: plan.rollback.reason, startedAt: now, serviceRevisionArn: target.revisionArn });
      changed = true;
    }
    const note = (message: string) => {
      if (service.events[0]?.message === message) return; // said already; not again on every retry
      service = withEvent(service, message, deps.ids, now);
      changed = true;
    };
    const cluster = plan.start.length ? await tx.get<ClusterRecord>(keys.cluster(scope, service.clusterName)) : undefined;
    for (const start of plan.start) {
      const deployment = service.deployments.find((d) => d.id === start.deploymentId);
      if (!deployment || cluster?.status !== 'ACTIVE') continue;
      if (!instanceDocs.some((d) => d.value.status === 'ACTIVE')) {
        note(messages.noInstances(service.name));
        continue;
      }
      const td = await resolveTaskDefinition(tx, scope, deployment.taskDefinition);
      const candidates = start.instanceId ? instanceDocs.filter((d) => d.value.id === start.instanceId) : instanceDocs;
      const launched = stageServiceLaunch(tx, deps, scope, cluster, td, {
        group: serviceGroup(service.name),
        startedBy: deployment.id,
        count: start.count,
        constraints: deployment.placementConstraints,
        strategy: deployment.placementStrategy,
        tags: service.propagateTags === 'SERVICE' ? service.tags : service.propagateTags === 'TASK_DEFINITION' ? td.tags : undefined,
        enableExecuteCommand: service.enableExecuteCommand,
      }, candidates);
      if (launched.tasks.length) {
        service = withEvent(service, messages.started(service.name, launched.tasks.map((t) => t.id)), deps.ids, now);
        changed = true;
      }
      if (launched.tasks.length < start.count) note(messages.unableToPlace(service.name, closest(launched.failures)));
    }
    if (!changed) return;
    putService(tx, plan.changed ? service : { ...service, version: service.version + 1 }, plan.retired);
  }

  /** DAEMON services: which instances the PRIMARY deployment's memberOf constraints and required attributes admit. */
  private async daemonEligibility(tx: Tx, service: ServiceRecord, instances: Doc<ContainerInstanceRecord>[]): Promise<Set<string>> {
    const primary: DeploymentRecord | undefined = service.deployments[0];
    if (service.schedulingStrategy !== 'DAEMON' || !primary) return new Set();
    const td = await resolveTaskDefinition(tx, scopeOfService(service), primary.taskDefinition);
    const constraints = [...primary.placementConstraints, ...(td.placementConstraints ?? [])]
      .filter((c) => c.type === 'memberOf')
      .map((c) => ({ type: 'memberOf' as const, expression: c.expression }));
    const request = {
      count: 1,
      demand: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
      group: serviceGroup(service.name),
      constraints,
      strategy: [],
      requiredAttributes: (td.requiresAttributes ?? []).map((a) => ({ name: a.name!, value: a.value })),
    };
    const admitted = new Set<string>();
    for (const d of instances) {
      // Resources and connectivity aside: only whether the daemon belongs on this instance at all.
      const snapshot = { ...snapshotOf(d.value), status: 'ACTIVE', agentConnected: true, remaining: { cpu: Infinity, memory: Infinity, ports: [], portsUdp: [] } };
      if (this.o.deps.place([snapshot], request, this.o.deps.rng).placements.length) admitted.add(d.value.id);
    }
    return admitted;
  }

  private resyncAll(): void {
    void listDocs<ServiceRecord>(this.o.deps.store, serviceKeys.allServices).then((docs) => {
      for (const d of docs) {
        this.track(d.key, d.value.status !== 'INACTIVE');
        if (d.value.status !== 'INACTIVE') this.queue.add(d.key);
      }
    }).catch((error: unknown) => this.o.log?.(`service controller: resync failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  private onService(e: WatchEvent): void {
    const live = e.type === 'put' && (JSON.parse(e.kv.value) as ServiceRecord).status !== 'INACTIVE';
    this.track(e.kv.key, live);
    if (live) this.queue.add(e.kv.key);
  }

  private onTask(e: WatchEvent): void {
    const value = e.type === 'put' ? e.kv.value : e.prevKv?.value;
    // Every agent report passes here: standalone tasks are skipped without decoding them.
    if (!value || !value.includes('"group":"service:')) return;
    const task = JSON.parse(value) as TaskRecord;
    if (!task.group.startsWith('service:')) return;
    const cluster = e.kv.key.slice(keys.allTasks.length, e.kv.key.lastIndexOf('/'));
    this.queue.add(`${serviceKeys.allServices}${cluster}/${task.group.slice('service:'.length)}`);
  }

  private onInstance(e: WatchEvent): void {
    const cluster = e.kv.key.slice(keys.allInstances.length, e.kv.key.lastIndexOf('/'));
    for (const key of this.byCluster.get(cluster) ?? []) this.queue.add(key);
  }

  private track(serviceKey: string, live: boolean): void {
    const cluster = serviceKey.slice(serviceKeys.allServices.length, serviceKey.lastIndexOf('/'));
    const set = this.byCluster.get(cluster) ?? new Set<string>();
    if (live) set.add(serviceKey);
    else set.delete(serviceKey);
    if (set.size) this.byCluster.set(cluster, set);
    else this.byCluster.delete(cluster);
  }
}

/** A stored task as the reconciler sees it. */
export function observeTask(t: TaskRecord): ObservedTask {
  return {
    id: t.id,
    arn: t.arn,
    deploymentId: t.startedBy ?? '',
    instanceId: t.containerInstanceId,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: t.healthStatus ?? 'UNKNOWN',
    hasHealthCheck: t.spec.containers.some((c) => (c.essential ?? true) && c.healthCheck?.command?.length),
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    stoppedAt: t.stoppedAt,
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
  };
}

/** A stored instance as the reconciler sees it. */
export function observeInstance(i: ContainerInstanceRecord, daemonEligible: ReadonlySet<string>): ObservedInstance {
  return {
    id: i.id,
    ec2InstanceId: i.ec2InstanceId,
    status: i.status,
    agentConnected: i.agentConnected,
    disconnectedAt: i.disconnectedAt,
    eligible: daemonEligible.has(i.id),
  };
}

/** What ECS says the closest instance lacked, from the placement failures. */
const LACKING: Record<string, string> = {
  'RESOURCE:CPU': 'has insufficient CPU units available',
  'RESOURCE:MEMORY': 'has insufficient memory available',
  'RESOURCE:PORTS': 'is already using a port required by your task',
  'RESOURCE:GPU': 'has insufficient GPU resources available',
  'RESOURCE:ENI': 'has no free elastic network interface attachment points',
  ATTRIBUTE: 'is missing an attribute required by your task',
  AGENT: 'has a disconnected agent',
};

function closest(failures: Failure[]): { instanceId: string; lacking: string } | undefined {
  const f = failures.find((x) => x.reason && LACKING[x.reason]) ?? failures[0];
  if (!f?.arn) return undefined;
  return { instanceId: f.arn.slice(f.arn.lastIndexOf('/') + 1), lacking: LACKING[f.reason ?? ''] ?? `does not satisfy the task's placement constraints (${f.reason})` };
}

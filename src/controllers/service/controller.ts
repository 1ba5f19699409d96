/**
 * The service controller: the thin shell around `reconcileService`. It subscribes to the shared
 * ECS informers (services, tasks, container instances), to target health and to CloudWatch alarms
 * (deployment alarms, through the alarms port), and a change only queues the affected
 * service's key; a worker reads the service from the store, its tasks and the cluster's
 * instances from the informers' indexes (never by listing the cluster), asks the pure
 * reconciler what to do, and applies the plan — stops, a rollback deployment, launches placed
 * by the scheduler, events — in one transaction guarded on everything it read. A lost race
 * re-reads and decides again, so a crash or restart at any moment neither loses nor
 * duplicates work.
 *
 *   informers.subscribe ──▶ WorkQueue(service key) ──▶ read ──▶ reconcileService ──▶ one transaction
 *                               ▲                                          │
 *                               └──────── wakeAt (grace, throttle, instance loss) ◀──┘
 *
 * Reading its own writes: every commit that launches or stops a service's tasks also rewrites
 * the service record, so a pass first waits for the informers to reach the revision of the
 * service record it read (`waitForRevision`) — the tasks it launched last time are then in
 * them. After a lost race it waits for the store's current revision (`catchUp`) instead.
 */
import type { Failure } from '@aws-sdk/client-ecs';
import { AGENT_RECONNECT_MAX_MS } from '../../common/index.ts';
import { getDoc, transact, type Doc, type InformerChange, type Tx } from '../../state/index.ts';
import {
  CLUSTER_INDEX, FARGATE_POOL, keys, launchSpecOf, putService, resolveTaskDefinition, scopeOfService, serviceGroup, serviceIndexOf, serviceKeyOfIndex,
  snapshotOf, stageServiceLaunch, stageStopTask, startDeployment, watchedAlarms, withEvent, type ClusterRecord, type ContainerInstanceRecord,
  type DeploymentRecord, type EcsDeps, type ServiceActionNote, type ServiceRecord, type TaskRecord,
} from '../../ecs/index.ts';
import { WorkQueue } from '../work-queue.ts';
import { messages } from './messages.ts';
import { applyRegistries } from './registries.ts';
import { applyTargets, loadBalancersOf, observeTargets, type ObservedTargets } from './registrations.ts';
import type { TaskTargetHealth } from './targets.ts';
import { reconcileService, type ObservedInstance, type ObservedTask, type ReconcileSettings, type ServicePlan } from './reconcile.ts';

/** What the service controller is given: ECS's deps (the shared informers among them) and the reconciler's settings. */
export interface ServiceControllerOptions {
  deps: EcsDeps;
  settings: ReconcileSettings;
  /** Every service is reconciled this often as well, whatever the watches said (level-triggered safety net). */
  resyncMs?: number;
  log?: (message: string) => void;
  /** Receives each reconcile pass over a service: seconds, and whether it failed. */
  onReconcile?: (seconds: number, failed: boolean) => void;
}

/** Keeps every service's tasks converging on what the service asks for. */
/**
 * The tasks of a deployment each capacity provider runs (those not stopping): the strategy's
 * next tasks go where they keep its base and weights, so replacements restore the distribution.
 */
export function providerCounts(tasks: Iterable<TaskRecord>, deploymentId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    if (t.startedBy !== deploymentId || t.desiredStatus === 'STOPPED' || !t.capacityProviderName) continue;
    counts.set(t.capacityProviderName, (counts.get(t.capacityProviderName) ?? 0) + 1);
  }
  return counts;
}

export class ServiceController {
  private readonly queue: WorkQueue;
  private readonly unsubscribe: Array<() => void> = [];
  private resync?: NodeJS.Timeout;

  /** What the reconciler is given: the options' settings, with agents given time to reconnect after this start. */
  private readonly settings: ReconcileSettings;

  constructor(private readonly o: ServiceControllerOptions) {
    const reconnect = 2 * AGENT_RECONNECT_MAX_MS;
    this.settings = { lossNotBefore: o.deps.clock.now() + reconnect, ...o.settings };
    this.queue = new WorkQueue({ work: (key) => this.reconcile(key), log: (m) => o.log?.(`service controller: ${m}`), onWorked: o.onReconcile });
  }

  /** Subscribes to the informers (which queues every service once) and starts the periodic resync. */
  async start(): Promise<void> {
    const { informers } = this.o.deps;
    await informers.start();
    this.unsubscribe.push(informers.services.subscribe((c) => this.onService(c)));
    this.unsubscribe.push(informers.tasks.subscribe((c) => this.onTask(c)));
    this.unsubscribe.push(informers.instances.subscribe((c) => this.onInstance(c)));
    if (this.o.deps.targets) this.unsubscribe.push(this.o.deps.targets.subscribe((arn) => this.onTargetGroup(arn)));
    if (this.o.deps.alarms) this.unsubscribe.push(this.o.deps.alarms.subscribe((scope, name) => this.onAlarm(scope, name)));
    this.resync = setInterval(() => this.resyncAll(), this.o.resyncMs ?? 30_000);
    this.resync.unref();
  }

  /** Stops listening; resolves once work in progress is done. */
  async close(): Promise<void> {
    clearInterval(this.resync);
    for (const u of this.unsubscribe) u();
    await this.queue.close();
  }

  /**
   * Resolves once every change committed before the call has reached the informers and their
   * subscribers, and no service is queued or being reconciled (for tests).
   */
  async idle(): Promise<void> {
    const { informers } = this.o.deps;
    await informers.catchUp();
    // Subscribers hear of a change on a later turn of the event loop than the informer takes it.
    await informers.flushed();
    await this.queue.idle();
  }

  /** Reconciles one service now; resolves to when (ms from now) it wants to be looked at again. */
  async reconcile(key: string): Promise<number | undefined> {
    const { deps } = this.o;
    const { informers } = deps;
    const settings = this.settings;
    await informers.start();
    let attempt = 0;
    const wakeAt = await transact(deps.store, async (tx) => {
      const doc = await getDoc<ServiceRecord>(deps.store, key);
      tx.guard(key, doc?.modRevision ?? 0);
      if (!doc || doc.value.status === 'INACTIVE') return undefined;
      const service = doc.value;
      // See our own writes (they rewrote the service record), or after a lost race everything committed so far.
      if (attempt++ === 0) await informers.waitForRevision(doc.modRevision);
      else await informers.catchUp();
      const scope = scopeOfService(service);
      const now = deps.clock.now();
      // The service's own tasks guard the commit; other tasks' reports do not disturb it.
      const taskDocs = informers.tasksOfService(scope, service.clusterName, service.name);
      for (const d of taskDocs) tx.guard(d.key, d.modRevision);
      // A Fargate service's (or task set's) tasks run on the Fargate pool's hosts.
      const instanceDocs = poolsOf(service).flatMap((pool) => informers.instancesOf(scope, pool === 'FARGATE' ? FARGATE_POOL : service.clusterName));
      // Tasks are replaced because of instances that are away or draining: if one comes back meanwhile, decide again.
      for (const d of instanceDocs) if (!d.value.agentConnected || d.value.status !== 'ACTIVE') tx.guard(d.key, d.modRevision);
      const eligible = await this.daemonEligibility(tx, service, instanceDocs);
      // Load balancers: what ECS registered for the tasks, and what the data plane says of those targets.
      const targets = deps.targets ? await observeTargets(tx, deps.targets, service) : undefined;
      // The PRIMARY's deployment alarms, read in this transaction: one changing state before the commit makes it decide again.
      const watched = watchedAlarms(service.deployments[0]);
      const alarms = deps.alarms && watched.length ? await deps.alarms.read(tx, scope, watched) : undefined;
      const plan = reconcileService({
        service,
        tasks: taskDocs.map((d) => observeTask(d.value, targets && loadBalancersOf(service, d.value).length ? targets.health : undefined)),
        instances: instanceDocs.map((d) => observeInstance(d.value, eligible)),
        now,
        ids: deps.ids,
        settings,
        alarms,
      });
      const targetsWakeAt = await this.apply(tx, service, plan, taskDocs.map((d) => d.value), instanceDocs, now, targets);
      const wake = [plan.wakeAt, targetsWakeAt].filter((w): w is number => w !== undefined);
      return wake.length ? Math.min(...wake) : undefined;
    });
    return wakeAt === undefined ? undefined : wakeAt - deps.clock.now();
  }

  /** Stages a plan: stops, a rollback deployment, launches, and the service record (and what follows from its change: ECS's events). */
  private async apply(
    tx: Tx, before: ServiceRecord, plan: ServicePlan, tasks: TaskRecord[], instanceDocs: Doc<ContainerInstanceRecord>[], now: number,
    targets: ObservedTargets | undefined,
  ): Promise<number | undefined> {
    const { deps } = this.o;
    const byArn = new Map(tasks.map((t) => [t.arn, t]));
    const byId = new Map(tasks.map((t) => [t.id, t]));
    for (const s of plan.stop) {
      const stopped = await stageStopTask(tx, byArn.get(s.taskArn)!, { stopCode: s.stopCode, reason: s.reason }, now);
      byId.set(stopped.id, stopped);
    }
    let service = plan.service;
    let changed = plan.changed;
    const scope = scopeOfService(service);
    const target = service.lastCompleted;
    if (plan.rollback && target) {
      const td = await resolveTaskDefinition(tx, scope, target.spec.taskDefinition);
      service = startDeployment(tx, service, target.spec, td, deps.ids, now, { reason: plan.rollback.reason, startedAt: now, serviceRevisionArn: target.revisionArn });
      changed = true;
    }
    // What ECS reports as service actions besides the record's own changes: a start impaired by the throttle, placements that failed.
    const notes: ServiceActionNote[] = plan.service.events.some((e) => e.createdAt === now && e.message === messages.throttled(service.name) && !before.events.some((b) => b.id === e.id))
      ? [{ eventName: 'SERVICE_TASK_START_IMPAIRED' }]
      : [];
    const note = (message: string, placementFailure?: string) => {
      if (service.events[0]?.message === message) return; // said already; not again on every retry
      service = withEvent(service, message, deps.ids, now);
      changed = true;
      if (placementFailure) notes.push({ eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: placementFailure });
    };
    // Traffic between blue and green, in the same commit as the stage that decided it.
    for (const write of deps.targets ? plan.traffic : []) {
      const refused = await deps.targets!.shiftTraffic(tx, scope, write.ruleArn, write.weights);
      if (refused) note(messages.trafficRefused(service.name, write.ruleArn, refused));
    }
    const cluster = plan.start.length ? await tx.get<ClusterRecord>(keys.cluster(scope, service.clusterName)) : undefined;
    for (const start of plan.start) {
      const spec = launchSpecOf(service, start.deploymentId);
      if (!spec || cluster?.status !== 'ACTIVE') continue;
      // A task set's tasks are placed on the hosts of its own launch type.
      const pool = instanceDocs.filter((d) => (d.value.clusterName === FARGATE_POOL) === (spec.launchType === 'FARGATE'));
      const waits = spec.capacityProviderStrategy !== undefined && spec.launchType !== 'FARGATE'; // for its providers' instances
      if (!waits && !pool.some((d) => d.value.status === 'ACTIVE')) {
        note(messages.noInstances(service.name), 'No Container Instances were found in your cluster.');
        continue;
      }
      const td = await resolveTaskDefinition(tx, scope, spec.taskDefinition);
      const candidates = start.instanceId ? pool.filter((d) => d.value.id === start.instanceId) : pool;
      const launched = await stageServiceLaunch(tx, deps, scope, cluster, td, {
        group: serviceGroup(service.name),
        startedBy: start.deploymentId,
        count: start.count,
        constraints: spec.placementConstraints,
        strategy: spec.placementStrategy,
        tags: service.propagateTags === 'SERVICE' ? service.tags : service.propagateTags === 'TASK_DEFINITION' ? td.tags : undefined,
        enableExecuteCommand: service.enableExecuteCommand,
        networkConfiguration: spec.networkConfiguration,
        launchType: spec.launchType,
        platformVersion: spec.platformVersion,
        capacityProviderName: spec.capacityProviderName,
        ...(spec.capacityProviderStrategy && {
          capacityProviderStrategy: spec.capacityProviderStrategy,
          providerCounts: providerCounts([...byId.values()], start.deploymentId),
        }),
      }, candidates).catch((error: unknown) => {
        // A network the service names that no longer works (a subnet deleted, no address left) is the service's event, not a crash.
        if (error instanceof Error && error.name === 'InvalidParameterException') {
          note(messages.launchFailed(service.name, error.message));
          return undefined;
        }
        throw error;
      });
      if (!launched) continue;
      if (launched.tasks.length) {
        service = withEvent(service, messages.started(service.name, launched.tasks.map((t) => t.id)), deps.ids, now);
        changed = true;
      }
      if (launched.tasks.length < start.count) note(messages.unableToPlace(service.name, closest(launched.failures)), placementReason(launched.failures));
    }
    let wakeAt: number | undefined;
    if (deps.targets && targets) {
      const instances = new Map(instanceDocs.map((d) => [d.value.id, d.value]));
      const outcome = await applyTargets(tx, deps.targets, service, byId, targets, instances, now);
      for (const message of outcome.events) {
        service = withEvent(service, message, deps.ids, now);
        changed = true;
      }
      for (const message of outcome.notes) note(message);
      wakeAt = outcome.wakeAt;
    }
    if (deps.registries && (service.serviceRegistries.length || service.taskSets?.some((t) => t.serviceRegistries.length))) {
      const instances = new Map(instanceDocs.map((d) => [d.value.id, d.value]));
      for (const message of await applyRegistries(tx, deps.registries, service, byId, instances)) note(message);
    }
    if (!changed) return wakeAt;
    const after = plan.changed ? service : { ...service, version: service.version + 1 };
    putService(tx, after, plan.retired);
    await deps.changes?.serviceChanged?.(tx, { before, after, retired: plan.retired, notes, byScheduler: true }, now);
    return wakeAt;
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

  /** Queues every live service again, whatever the informers said (the level-triggered safety net). */
  private resyncAll(): void {
    for (const d of this.o.deps.informers.services.list()) if (d.value.status !== 'INACTIVE') this.queue.add(d.key);
  }

  private onService(c: InformerChange<ServiceRecord>): void {
    if (c.type !== 'delete' && c.value.status !== 'INACTIVE') this.queue.add(c.key);
  }

  /** A service's task changed (or went): its service is queued. Other tasks are no concern of this controller. */
  private onTask(c: InformerChange<TaskRecord>): void {
    const before = c.type === 'add' ? undefined : serviceIndexOf(c.previous, c.key);
    const after = c.type === 'delete' ? undefined : serviceIndexOf(c.value, c.key);
    if (before !== undefined) this.queue.add(serviceKeyOfIndex(before));
    if (after !== undefined && after !== before) this.queue.add(serviceKeyOfIndex(after));
  }

  /** A target's health changed in a target group: the services registering tasks in it decide again. */
  private onTargetGroup(targetGroupArn: string): void {
    for (const d of this.o.deps.informers.services.list()) {
      const s = d.value;
      if (s.status === 'INACTIVE') continue;
      const uses = (lbs: { targetGroupArn?: string }[] | undefined) => (lbs ?? []).some((lb) => lb.targetGroupArn === targetGroupArn);
      if (uses(s.loadBalancers) || s.deployments.some((dep) => uses(dep.loadBalancers)) || s.taskSets?.some((t) => uses(t.loadBalancers))) this.queue.add(d.key);
    }
  }

  /** A CloudWatch alarm changed: the services whose PRIMARY deployment it watches decide again. */
  private onAlarm(scope: { account: string; region: string }, name: string): void {
    for (const d of this.o.deps.informers.services.list()) {
      const s = d.value;
      if (s.status === 'INACTIVE' || !watchedAlarms(s.deployments[0]).includes(name)) continue;
      const at = scopeOfService(s);
      if (at.account === scope.account && at.region === scope.region) this.queue.add(d.key);
    }
  }

  /** An instance changed: every live service of its cluster may place or replace tasks because of it. */
  private onInstance(c: InformerChange<ContainerInstanceRecord>): void {
    const cluster = c.key.slice(keys.allInstances.length, c.key.lastIndexOf('/'));
    for (const d of this.o.deps.informers.services.byIndex(CLUSTER_INDEX, cluster)) {
      if (d.value.status !== 'INACTIVE') this.queue.add(d.key);
    }
  }
}

/** The hosts a service's tasks run on: its cluster's, the Fargate pool's, or both (task sets of either launch type). */
function poolsOf(service: ServiceRecord): Array<'EC2' | 'FARGATE'> {
  const types = new Set<'EC2' | 'FARGATE'>([service.launchType]);
  if (service.taskSets?.length) {
    types.clear();
    for (const t of service.taskSets) types.add(t.launchType ?? 'EC2');
  }
  return [...types];
}

/** A stored task as the reconciler sees it. */
export function observeTask(t: TaskRecord, targetHealth?: ReadonlyMap<string, TaskTargetHealth>): ObservedTask {
  return {
    ...(targetHealth && { loadBalanced: true, targetHealth: targetHealth.get(t.id) ?? { state: 'initial' as const } }),
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

/** The reason a "SERVICE_TASK_PLACEMENT_FAILURE" gives: the placement failure's own (`RESOURCE:MEMORY`, `AGENT`, ...). */
function placementReason(failures: Failure[]): string {
  const f = failures.find((x) => x.reason && LACKING[x.reason]) ?? failures[0];
  return f?.reason ?? 'No container instance met all of the task\'s requirements.';
}

function closest(failures: Failure[]): { instanceId: string; lacking: string } | undefined {
  const f = failures.find((x) => x.reason && LACKING[x.reason]) ?? failures[0];
  if (!f?.arn) return undefined;
  return { instanceId: f.arn.slice(f.arn.lastIndexOf('/') + 1), lacking: LACKING[f.reason ?? ''] ?? `does not satisfy the task's placement constraints (${f.reason})` };
}

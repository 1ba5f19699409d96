/**
 * ECS cluster auto scaling, on the leader: for each Auto Scaling group capacity provider with
 * managed scaling on, every pass reads its group and its tasks, publishes
 * CapacityProviderReservation (`AWS/ECS/ManagedScaling`, by CapacityProviderName and
 * ClusterName), and sets the group's desired capacity as the provider's target tracking policy
 * would (more at once, less after 15 minutes of low readings); with managed termination
 * protection, instances running tasks are protected from scale-in and idle ones are not, so a
 * scale-in takes only idle instances.
 *
 *   every interval, and when a task starts waiting ──▶ pass ──▶ per provider: load (informers, group)
 *        ──▶ capacityProviderReservation, scalingDecision (pure) ──▶ metric; desired capacity; protection
 */
import { autoscalingKeys, countedInstances, stagePolicyCapacity, stageProtection, type GroupRecord } from '../../autoscaling/index.ts';
import { createHash } from 'node:crypto';
import {
  capacityProviderReservation, isWaiting, managedDesiredCapacity, providerKeys, scalingDecision, taskDemand,
  type AsgProviderRecord, type EcsDeps, type ProviderLoad, type Scope,
} from '../../ecs/index.ts';
import { publishMetricData } from '../../metrics/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import { KickedPasses } from '../passes.ts';
import { realTimers, type Timers } from '../timers.ts';

export interface ManagedScalingControllerOptions {
  deps: EcsDeps;
  timers?: Timers;
  log?: (message: string) => void;
  /** How often the metric is published and acted on. Default a minute (the metric's period). */
  intervalMs?: number;
}

/** The target tracking policy ECS makes for a provider, named as ECS names it (a stable id per provider). */
export function managedPolicyName(providerArn: string): string {
  const h = createHash('sha256').update(providerArn).digest('hex');
  return `ECSManagedAutoScalingPolicy-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Runs managed scaling and managed termination protection. */
export class ManagedScalingController {
  private readonly passes = new KickedPasses(() => this.pass(), (e) => this.o.log?.(`managed scaling: ${String(e)}`));
  private readonly lowSince = new Map<string, number>();
  private cancel?: () => void;
  private off?: () => void;

  constructor(private readonly o: ManagedScalingControllerOptions) {}

  async start(): Promise<void> {
    await this.o.deps.informers.start();
    // A task starting to wait is acted on at once rather than at the next minute.
    this.off = this.o.deps.informers.tasks.subscribe((change) => {
      if (change.type === 'delete' || !isWaiting(change.value)) return;
      if (change.type === 'add' || !isWaiting(change.previous)) this.passes.kick();
    });
    this.passes.kick();
  }

  async close(): Promise<void> {
    this.cancel?.();
    this.off?.();
    await this.passes.close();
  }

  /** One pass (after any in progress). */
  runOnce(): Promise<void> {
    return this.passes.run();
  }

  private async pass(): Promise<void> {
    const { deps } = this.o;
    const providers = (await listDocs<AsgProviderRecord>(deps.store, providerKeys.all)).filter((d) => d.value.status === 'ACTIVE' && d.value.cluster);
    for (const { key, value: p } of providers) {
      if (this.passes.closed) return;
      const [, , account, region] = key.split('/');
      try {
        await this.provider({ account: account!, region: region! }, p);
      } catch (error) {
        this.o.log?.(`managed scaling: ${p.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.cancel?.();
    if (!this.passes.closed) this.cancel = (this.o.timers ?? realTimers).after(this.o.intervalMs ?? 60_000, () => this.passes.kick());
  }

  private async provider(scope: Scope, p: AsgProviderRecord): Promise<void> {
    const { deps } = this.o;
    const now = deps.clock.now();
    const cluster = p.cluster!;
    const group = (await transact(deps.store, (tx) => tx.get<GroupRecord>(autoscalingKeys.group(scope, p.autoScalingGroupName))));
    if (!group || group.status !== undefined || group.arn !== p.autoScalingGroupArn) return;
    const daemons = new Set(deps.informers.servicesOf(scope, cluster).map((d) => d.value).filter((s) => s.schedulingStrategy === 'DAEMON').map((s) => `service:${s.name}`));
    const instances = deps.informers.instancesOf(scope, cluster).map((d) => d.value).filter((i) => i.capacityProviderName === p.name && i.status !== 'INACTIVE');
    const busy = new Set(instances.filter((i) => deps.informers.tasksOn(i.id)
      .some((d) => d.value.desiredStatus !== 'STOPPED' && !daemons.has(d.value.group))).map((i) => i.ec2InstanceId));
    const waiting = deps.informers.tasksOfCluster(scope, cluster).map((d) => d.value)
      .filter((t) => isWaiting(t) && t.capacityProviderName === p.name)
      .map((t) => taskDemand(t.spec));
    const size = instances[0]?.registeredResources;
    const load: ProviderLoad = {
      groupInstances: countedInstances(group).length, busyInstances: busy.size, waiting,
      ...(size && { instanceSize: { cpu: size.cpu, memory: size.memory } }),
    };
    if (p.managedScaling.status === 'ENABLED') {
      const r = capacityProviderReservation(load, p.managedScaling);
      await publishMetricData({ store: deps.store, clock: deps.clock }, scope, 'AWS/ECS/ManagedScaling', [{
        metricName: 'CapacityProviderReservation', value: r.value, unit: 'Percent', timestamp: now,
        dimensions: [{ name: 'CapacityProviderName', value: p.name }, { name: 'ClusterName', value: cluster }],
      }]);
      const wanted = managedDesiredCapacity(r.m, p.managedScaling, group);
      const decision = scalingDecision(group.desiredCapacity, wanted, this.lowSince.get(p.arn), now);
      if (decision.lowSince === undefined) this.lowSince.delete(p.arn);
      else this.lowSince.set(p.arn, decision.lowSince);
      if (decision.set !== undefined) {
        const policy = managedPolicyName(p.arn);
        const alarm = `TargetTracking-${policy}-Alarm${decision.set > group.desiredCapacity ? 'High' : 'Low'}-${policy.slice(-36)}`;
        await transact(deps.store, (tx) => stagePolicyCapacity(tx, scope, group.name, decision.set!, `a monitor alarm ${alarm} in state ALARM triggered policy ${policy}`, now));
        this.lowSince.delete(p.arn);
      }
    }
    if (p.managedTerminationProtection === 'ENABLED') {
      // Registered instances: protected while they run tasks. One not registered yet keeps what the group gave it.
      const registered = new Set(instances.map((i) => i.ec2InstanceId));
      const protect = new Map(group.instances.filter((i) => registered.has(i.instanceId)).map((i) => [i.instanceId, busy.has(i.instanceId)]));
      await transact(deps.store, (tx) => stageProtection(tx, scope, group.name, protect));
    }
  }
}

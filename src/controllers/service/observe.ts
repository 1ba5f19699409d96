/**
 * What the service reconciler sees: the service's tasks and the cluster's instances, reduced
 * to the facts its decisions need, and the small judgements every part of it shares (is a
 * task live, healthy, on a lost instance).
 */
import type { Ids, TaskStatus } from '../../common/index.ts';
import type { DeploymentAlarm, ServiceRecord } from '../../ecs/index.ts';
import type { TaskTargetHealth } from './targets.ts';

/** One task of the service as the reconciler sees it. */
export interface ObservedTask {
  id: string;
  arn: string;
  /** The deployment that started it (its `startedBy`). */
  deploymentId: string;
  instanceId?: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  /** Whether an essential container has a health check (else RUNNING counts as healthy). */
  hasHealthCheck: boolean;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /**
   * Its deployment has load balancers: the task counts healthy only once its targets are, and
   * is replaced when they are unhealthy past the grace period.
   */
  loadBalanced?: boolean;
  /** Its targets' health as the data plane reports it (`initial` while unregistered or unchecked). */
  targetHealth?: TaskTargetHealth;
}

/** One container instance of the cluster. */
export interface ObservedInstance {
  id: string;
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE' | 'REGISTERING' | 'DEREGISTERING';
  agentConnected: boolean;
  disconnectedAt?: number;
  /** DAEMON services: whether the service's constraints and required attributes admit this instance. */
  eligible: boolean;
}

export interface ReconcileSettings {
  /** An instance whose agent has been disconnected this long is lost: its tasks are replaced. */
  instanceLostAfterMs: number;
  /**
   * No instance is lost before this time: a control plane that just started gives its agents
   * the time to reconnect (their retries are up to AGENT_RECONNECT_MAX_MS apart).
   */
  lossNotBefore?: number;
}

export interface ReconcileInput {
  service: ServiceRecord;
  tasks: ObservedTask[];
  instances: ObservedInstance[];
  now: number;
  ids: Ids;
  settings: ReconcileSettings;
  /** The PRIMARY deployment's deployment alarms that exist, with their states (none: nothing watched). */
  alarms?: DeploymentAlarm[];
}

/** A task the scheduler asks its agent to stop. */
export interface StopAction {
  taskArn: string;
  stopCode: 'ServiceSchedulerInitiated';
  reason: string;
}

/** Tasks to launch for a deployment: `count` placed by the scheduler, or one on `instanceId` (DAEMON). */
export interface StartAction {
  deploymentId: string;
  count: number;
  instanceId?: string;
}

/** A view over the input that answers the questions every decision asks. */
export class World {
  readonly instances: Map<string, ObservedInstance>;
  /** Tasks whose instance is lost, not yet STOPPED. */
  readonly lost = new Set<string>();
  /** The earliest time a disconnected instance will count as lost. */
  lostAt?: number;

  constructor(readonly input: ReconcileInput) {
    this.instances = new Map(input.instances.map((i) => [i.id, i]));
    for (const t of input.tasks) {
      if (t.lastStatus === 'STOPPED' || !t.instanceId) continue;
      const instance = this.instances.get(t.instanceId);
      const at = this.lostTime(instance);
      if (at === undefined) continue;
      if (at <= input.now) this.lost.add(t.id);
      else this.lostAt = Math.min(this.lostAt ?? Infinity, at);
    }
  }

  /** Not STOPPED and not on a lost instance: it may still be running, so it counts against maximumPercent. */
  live(t: ObservedTask): boolean {
    return t.lastStatus !== 'STOPPED' && !this.lost.has(t.id);
  }

  /** Live and still wanted (desiredStatus RUNNING). */
  active(t: ObservedTask): boolean {
    return this.live(t) && t.desiredStatus === 'RUNNING';
  }

  /**
   * Active, RUNNING, passing its health checks if it has any, and healthy in its target groups
   * if it has load balancers: counts toward minimumHealthyPercent.
   */
  healthy(t: ObservedTask): boolean {
    return this.active(t) && t.lastStatus === 'RUNNING' && (t.hasHealthCheck ? t.healthStatus === 'HEALTHY' : t.healthStatus !== 'UNHEALTHY') &&
      (!t.loadBalanced || t.targetHealth?.state === 'healthy');
  }

  /** Whether the instance is lost by now (its tasks must be replaced). */
  isLost(instanceId: string): boolean {
    const at = this.lostTime(this.instances.get(instanceId));
    return at !== undefined && at <= this.input.now;
  }

  /** When an instance is (or will be) lost; undefined while its agent is connected. A missing or deregistered one is lost. */
  lostTime(instance: ObservedInstance | undefined): number | undefined {
    if (!instance || instance.status === 'INACTIVE') return -Infinity;
    if (instance.agentConnected) return undefined;
    const { instanceLostAfterMs, lossNotBefore } = this.input.settings;
    return Math.max((instance.disconnectedAt ?? -Infinity) + instanceLostAfterMs, lossNotBefore ?? -Infinity);
  }

  /** The instance of a task, if it still exists. */
  instanceOf(t: ObservedTask): ObservedInstance | undefined {
    return t.instanceId === undefined ? undefined : this.instances.get(t.instanceId);
  }
}

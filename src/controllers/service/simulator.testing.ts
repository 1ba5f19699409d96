/**
 * TEST HARNESS, not production code: a small deterministic world for the service reconciler's
 * tests. It holds one service record, its tasks and the cluster's instances, a virtual clock
 * and counter ids, and on each `step()`:
 *
 *   1. calls `reconcileService` (with frozen copies of its input, so the core cannot mutate them);
 *   2. applies the plan as the real controller shell does: the service is stored (through a
 *      JSON round trip, as the store would), stops set desiredStatus STOPPED with the plan's
 *      reason, starts create PENDING tasks of the named deployment (DAEMON: on the named
 *      instance; REPLICA: on the ACTIVE connected instance with the fewest of the service's
 *      live tasks), a rollback starts a new PRIMARY deployment of `service.lastCompleted`
 *      through the real `startDeployment`;
 *   3. checks that reconciling again at once changes nothing (DESIGN.md rule 2) — except that
 *      tasks no instance could take are asked for again, and after a rollback, whose new
 *      deployment acts on its first reconcile — then calls `onApplied` (tests check invariants there);
 *   4. moves the clock by `stepMs` and advances the world one stage: PENDING → RUNNING (or, for a
 *      bad revision, STOPPED at once), RUNNING → HEALTHY / UNHEALTHY when the revision has a
 *      health check, desiredStatus STOPPED → STOPPED. Tasks the plan just started or stopped
 *      wait one step, so the next reconcile sees them PENDING or still stopping. Tasks on an
 *      instance whose agent is disconnected do not change (nobody reports on them).
 */
import assert from 'node:assert/strict';
import type { Ids } from '../../common/index.ts';
import {
  startDeployment, withNewTaskSet, withPrimaryTaskSet, withTaskSetDeleted, withTaskSetScale, type TaskSetRecord, type DeploymentAlarm, type DeploymentConfigurationRecord, type DeploymentRecord, type ServiceRecord, type TaskDefinitionRecord,
} from '../../ecs/index.ts';
import { SqliteStore, Tx } from '../../state/index.ts';
import { reconcileService, type ObservedInstance, type ObservedTask, type ReconcileSettings, type ServicePlan } from './reconcile.ts';

/** How tasks of a task definition behave in the simulated world. */
export type Behaviour =
  /** Starts, runs, and passes its health check if it has one. */
  | 'good'
  /** Its essential container exits at once: STOPPED with EssentialContainerExited, startedAt set. */
  | 'exits'
  /** Never starts: STOPPED with TaskFailedToStart, no startedAt. */
  | 'failsToStart'
  /** Starts, then fails its container health check (UNHEALTHY). */
  | 'unhealthy';

export interface SimRevision {
  behaviour: Behaviour;
  healthCheck: boolean;
}

export interface SimOptions {
  schedulingStrategy?: 'REPLICA' | 'DAEMON';
  desiredCount?: number;
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  healthCheckGracePeriodSeconds?: number;
  /** How many instances (i1..iN, ACTIVE, connected, eligible); default 3. */
  instances?: number;
  /** Virtual time per step; default 5 s. */
  stepMs?: number;
  instanceLostAfterMs?: number;
  /** Check after every applied plan that reconciling again changes nothing; default true. */
  checkIdempotent?: boolean;
  /** EXTERNAL or CODE_DEPLOY: the service runs task sets (`addTaskSet`) instead of deployments. */
  deploymentController?: 'EXTERNAL' | 'CODE_DEPLOY';
}

/** One reconcile as the simulator saw it. */
export interface SimRecord {
  at: number;
  plan: ServicePlan;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CLUSTER = 'default';
export const SERVICE_NAME = 'web';

/** Task definition ARN of revision `n` of family `web`. */
export const tdArn = (n: number): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:${n}`;

/**
 * Deterministic ids. The first 16 hex digits carry the counter from a 19-digit base, so the
 * 19-digit deployment ids `startDeployment` derives from them never collide.
 */
export function counterIds(): Ids {
  let n = 0n;
  let u = 0;
  return {
    hex32: () => (0x1000000000000000n + ++n).toString(16) + '0'.repeat(16),
    uuid: () => `00000000-0000-4000-8000-${(++u).toString(16).padStart(12, '0')}`,
  };
}

let scratchStore: SqliteStore | undefined;
/** A transaction that is never committed: `startDeployment` stages its revision record in it and it is dropped. */
function scratchTx(): Tx {
  scratchStore ??= SqliteStore.open(':memory:');
  return new Tx(scratchStore);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The simulated service, tasks, instances and clock. Fields are public so tests can inject world events. */
export class ServiceSim {
  service: ServiceRecord;
  tasks: ObservedTask[] = [];
  instances: ObservedInstance[];
  now = Date.UTC(2026, 0, 1);
  readonly ids = counterIds();
  readonly settings: ReconcileSettings;
  readonly stepMs: number;
  readonly checkIdempotent: boolean;
  readonly revisions = new Map<string, SimRevision>();
  /** Every reconcile so far, oldest first. */
  readonly records: SimRecord[] = [];
  /** The latest version of every deployment ever made, by id (the service-deployment history). */
  readonly history = new Map<string, DeploymentRecord>();
  /** Every task set ever made, by id, as last stored. */
  readonly taskSetHistory = new Map<string, TaskSetRecord>();
  /** The deployment alarms and their states, as the shell would read them (tests set them). */
  alarms: DeploymentAlarm[] = [];
  /** Called after every applied plan, before the world moves: where tests check invariants. */
  onApplied?: (plan: ServicePlan) => void;
  private touched = new Set<string>();

  constructor(options: SimOptions = {}) {
    this.stepMs = options.stepMs ?? 5_000;
    this.checkIdempotent = options.checkIdempotent ?? true;
    this.settings = { instanceLostAfterMs: options.instanceLostAfterMs ?? 60_000 };
    this.instances = Array.from({ length: options.instances ?? 3 }, (_, i) => simInstance(`i${i + 1}`));
    const configuration: DeploymentConfigurationRecord = {
      minimumHealthyPercent: options.minimumHealthyPercent ?? 100,
      maximumPercent: options.maximumPercent ?? 200,
      deploymentCircuitBreaker: options.circuitBreaker ?? { enable: false, rollback: false },
    };
    this.service = {
      name: SERVICE_NAME,
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE_NAME}`,
      clusterName: CLUSTER,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
      status: 'ACTIVE',
      schedulingStrategy: options.schedulingStrategy ?? 'REPLICA',
      launchType: 'EC2',
      desiredCount: options.desiredCount ?? 0,
      taskDefinition: '',
      placementConstraints: [],
      placementStrategy: [],
      deploymentConfiguration: configuration,
      deploymentController: { type: options.deploymentController ?? 'ECS' },
      ...(options.deploymentController && { taskSets: [] }),
      ...(options.healthCheckGracePeriodSeconds === undefined ? {} : { healthCheckGracePeriodSeconds: options.healthCheckGracePeriodSeconds }),
      loadBalancers: [],
      serviceRegistries: [],
      enableECSManagedTags: false,
      enableExecuteCommand: false,
      tags: [],
      createdAt: this.now,
      deployments: [],
      events: [],
      version: 1,
    };
  }

  /** Registers how revision `n` of the task definition behaves; returns its ARN. */
  revision(n: number, revision: Partial<SimRevision> = {}): string {
    const arn = tdArn(n);
    this.revisions.set(arn, { behaviour: 'good', healthCheck: true, ...this.revisions.get(arn), ...revision });
    return arn;
  }

  /** Turns an existing revision bad (or good) from now on, for tasks not yet started. */
  setBehaviour(taskDefinition: string, behaviour: Behaviour): void {
    this.revisions.get(taskDefinition)!.behaviour = behaviour;
  }

  /** CreateService / UpdateService with a new task definition (or configuration): a new PRIMARY deployment. */
  deploy(taskDefinition: string, configuration?: Partial<DeploymentConfigurationRecord>): DeploymentRecord {
    if (!this.revisions.has(taskDefinition)) throw new Error(`unknown revision ${taskDefinition}`);
    const spec = {
      taskDefinition,
      placementConstraints: this.service.placementConstraints,
      placementStrategy: this.service.placementStrategy,
      deploymentConfiguration: { ...this.service.deploymentConfiguration, ...configuration },
    };
    this.store(startDeployment(scratchTx(), this.service, spec, taskDefinitionRecord(taskDefinition), this.ids, this.now));
    return this.service.deployments[0];
  }

  /** CreateTaskSet (through the domain's pure `withNewTaskSet`): a task set of `taskDefinition` at `scale` percent. */
  addTaskSet(taskDefinition: string, scale = 100, primary = false): TaskSetRecord {
    if (!this.revisions.has(taskDefinition)) throw new Error(`unknown revision ${taskDefinition}`);
    const { service, taskSet } = withNewTaskSet(this.service, { taskDefinition, scale }, this.ids, this.now, primary);
    this.store(service);
    return taskSet;
  }

  /** UpdateTaskSet. */
  setScale(id: string, scale: number): void {
    this.store(withTaskSetScale(this.service, id, scale, this.now).service);
  }

  /** UpdateServicePrimaryTaskSet. */
  makePrimary(id: string): void {
    this.store(withPrimaryTaskSet(this.service, id, this.now).service);
  }

  /** DeleteTaskSet. */
  deleteTaskSet(id: string): void {
    this.store(withTaskSetDeleted(this.service, id, this.now).service);
  }

  /** The service's task set `id` as stored now (undefined once gone). */
  taskSet(id: string): TaskSetRecord | undefined {
    return this.service.taskSets?.find((t) => t.id === id);
  }

  /** UpdateService with only a new desiredCount (no new deployment, as in ECS). */
  setDesiredCount(n: number): void {
    this.store({ ...this.service, desiredCount: n });
  }

  /** One reconcile, applied, with the idempotence check. */
  reconcile(): ServicePlan {
    const plan = this.reconcileOnly();
    this.records.push({ at: this.now, plan });
    const unplaced = this.apply(plan);
    if (this.checkIdempotent && !plan.rollback) {
      const again = this.reconcileOnly();
      assert.equal(again.changed, false, `reconciling again at ${this.now} changed the service`);
      // Tasks no instance could take are asked for again, as the real shell would see.
      if (unplaced === 0) assert.deepEqual(again.start, [], `reconciling again at ${this.now} started tasks`);
      assert.deepEqual(again.stop, [], `reconciling again at ${this.now} stopped tasks`);
      assert.equal(again.rollback, undefined);
    }
    this.onApplied?.(plan);
    return plan;
  }

  /** What reconciling now would decide, without applying it. */
  peek(): ServicePlan {
    return this.reconcileOnly();
  }

  /** Reconcile, then let `stepMs` pass in the world. */
  step(): ServicePlan {
    const plan = this.reconcile();
    this.advance(this.stepMs);
    return plan;
  }

  /** Moves the clock by `ms` and the world by one stage. */
  advance(ms: number): void {
    this.now += ms;
    this.advanceWorld();
  }

  /** Moves the clock without changing the world. */
  wait(ms: number): void {
    this.now += ms;
  }

  /**
   * Steps until the service reports a steady state with its rollout complete; returns the
   * steps taken. `each` sees every plan (for invariant checks); throws after `maxSteps`.
   */
  runUntilSteady(maxSteps = 300, each?: (plan: ServicePlan) => void): number {
    for (let i = 1; i <= maxSteps; i++) {
      const plan = this.step();
      each?.(plan);
      if (this.isSteady()) return i;
    }
    throw new Error(`not steady after ${maxSteps} steps: ${this.describe()}`);
  }

  /** Steps `n` times. */
  run(n: number, each?: (plan: ServicePlan) => void): void {
    for (let i = 0; i < n; i++) {
      const plan = this.step();
      each?.(plan);
    }
  }

  isSteady(): boolean {
    const s = this.service;
    if (s.taskSets) return s.steadySince !== undefined;
    return s.steadySince !== undefined && s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED';
  }

  // ---- world events ----

  /** A running task's essential container exits (or it is stopped some other way outside the scheduler). */
  crash(taskId: string, stopCode = 'EssentialContainerExited'): void {
    const t = this.task(taskId);
    assert.notEqual(t.lastStatus, 'STOPPED');
    Object.assign(t, { lastStatus: 'STOPPED', stoppedAt: this.now, stopCode, stoppedReason: 'Essential container in task exited' });
  }

  setHealth(taskId: string, healthStatus: ObservedTask['healthStatus']): void {
    this.task(taskId).healthStatus = healthStatus;
  }

  instance(id: string): ObservedInstance {
    const i = this.instances.find((x) => x.id === id);
    if (!i) throw new Error(`no instance ${id}`);
    return i;
  }

  addInstance(id: string, patch: Partial<ObservedInstance> = {}): ObservedInstance {
    const i = { ...simInstance(id), ...patch };
    this.instances.push(i);
    return i;
  }

  task(id: string): ObservedTask {
    const t = this.tasks.find((x) => x.id === id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  }

  // ---- what tests look at ----

  /** Not STOPPED and not on a lost instance (World.live). */
  live(): ObservedTask[] {
    return this.tasks.filter((t) => t.lastStatus !== 'STOPPED' && !this.onLostInstance(t));
  }

  /** Live and desiredStatus RUNNING. */
  active(): ObservedTask[] {
    return this.live().filter((t) => t.desiredStatus === 'RUNNING');
  }

  /** Active, RUNNING and passing health checks (World.healthy). */
  healthy(): ObservedTask[] {
    return this.active().filter((t) => t.lastStatus === 'RUNNING' && (t.hasHealthCheck ? t.healthStatus === 'HEALTHY' : t.healthStatus !== 'UNHEALTHY'));
  }

  /** The task definition a task runs (its deployment's). */
  taskDefinitionOf(t: ObservedTask): string {
    return (this.history.get(t.deploymentId) ?? this.taskSetHistory.get(t.deploymentId))!.taskDefinition;
  }

  /** The service's event messages, oldest first. */
  messages(): string[] {
    return this.service.events.map((e) => e.message).reverse();
  }

  primary(): DeploymentRecord {
    return this.service.deployments[0];
  }

  describe(): string {
    const deps = this.service.deployments.map((d) => `${d.status}:${d.taskDefinition.split('/')[1]}:${d.rolloutState}`).join(',');
    const tasks = this.tasks.filter((t) => t.lastStatus !== 'STOPPED')
      .map((t) => `${this.taskDefinitionOf(t).split(':').pop()}/${t.lastStatus}/${t.desiredStatus}/${t.healthStatus}@${t.instanceId}`).join(' ');
    return `t=${this.now} desired=${this.service.desiredCount} deployments=[${deps}] tasks=[${tasks}]`;
  }

  // ---- internals ----

  private reconcileOnly(): ServicePlan {
    return reconcileService({
      service: deepFreeze(structuredClone(this.service)),
      tasks: deepFreeze(structuredClone(this.tasks)),
      instances: deepFreeze(structuredClone(this.instances)),
      now: this.now,
      ids: this.ids,
      settings: this.settings,
      alarms: deepFreeze(structuredClone(this.alarms)),
    });
  }

  private store(service: ServiceRecord, retired: DeploymentRecord[] = []): void {
    this.service = roundTrip(service);
    for (const d of [...this.service.deployments, ...roundTrip(retired)]) this.history.set(d.id, d);
    for (const t of this.service.taskSets ?? []) this.taskSetHistory.set(t.id, t);
  }

  /** Applies a plan; returns how many tasks it asked for that no instance could take. */
  private apply(plan: ServicePlan): number {
    let unplaced = 0;
    this.store(plan.service, plan.retired);
    for (const s of plan.stop) {
      const t = this.tasks.find((x) => x.arn === s.taskArn);
      assert.ok(t, `stop of an unknown task ${s.taskArn}`);
      assert.equal(t.desiredStatus, 'RUNNING', `task ${t.id} stopped twice`);
      assert.notEqual(t.lastStatus, 'STOPPED', `stop of STOPPED task ${t.id}`);
      Object.assign(t, { desiredStatus: 'STOPPED', stopCode: s.stopCode, stoppedReason: s.reason });
      this.touched.add(t.id);
    }
    for (const s of plan.start) {
      const taskSet = this.service.taskSets?.find((t) => t.id === s.deploymentId);
      const deployment = taskSet ?? this.service.deployments.find((d) => d.id === s.deploymentId);
      assert.ok(deployment, `start for unknown deployment ${s.deploymentId}`);
      if (taskSet) assert.notEqual(taskSet.status, 'DRAINING', 'no task is started for a deleted task set');
      else assert.equal(deployment.status, 'PRIMARY', 'tasks are only started for the PRIMARY deployment');
      const revision = this.revisions.get(deployment.taskDefinition)!;
      for (let k = 0; k < s.count; k++) {
        const instanceId = s.instanceId ?? this.placeReplica();
        if (instanceId === undefined) {
          unplaced += s.count - k;
          break;
        }
        const id = this.ids.hex32();
        this.tasks.push({
          id,
          arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`,
          deploymentId: s.deploymentId,
          instanceId,
          lastStatus: 'PENDING',
          desiredStatus: 'RUNNING',
          healthStatus: 'UNKNOWN',
          hasHealthCheck: revision.healthCheck,
          createdAt: this.now,
        });
        this.touched.add(id);
      }
    }
    if (plan.rollback) {
      const target = this.service.lastCompleted;
      assert.ok(target, 'a rollback needs a last completed deployment');
      const rollback = { reason: plan.rollback.reason, startedAt: this.now, serviceRevisionArn: target.revisionArn };
      this.store(startDeployment(scratchTx(), this.service, target.spec, taskDefinitionRecord(target.spec.taskDefinition), this.ids, this.now, rollback));
    }
    return unplaced;
  }

  /** REPLICA placement: the ACTIVE, connected instance with the fewest live tasks of the service (none: the task is not placed). */
  private placeReplica(): string | undefined {
    const candidates = this.instances.filter((i) => i.status === 'ACTIVE' && i.agentConnected);
    const load = (id: string) => this.tasks.filter((t) => t.instanceId === id && t.lastStatus !== 'STOPPED').length;
    return candidates.sort((a, b) => load(a.id) - load(b.id))[0]?.id;
  }

  private onLostInstance(t: ObservedTask): boolean {
    const i = this.instances.find((x) => x.id === t.instanceId);
    if (!i || i.status === 'INACTIVE') return true;
    return !i.agentConnected && (i.disconnectedAt ?? -Infinity) + this.settings.instanceLostAfterMs <= this.now;
  }

  private advanceWorld(): void {
    const touched = this.touched;
    this.touched = new Set();
    for (const t of this.tasks) {
      if (t.lastStatus === 'STOPPED' || touched.has(t.id)) continue;
      const instance = this.instances.find((i) => i.id === t.instanceId);
      if (!instance || !instance.agentConnected || instance.status === 'INACTIVE') continue;
      if (t.desiredStatus === 'STOPPED') {
        Object.assign(t, { lastStatus: 'STOPPED', stoppedAt: this.now });
        continue;
      }
      const { behaviour } = this.revisions.get(this.taskDefinitionOf(t))!;
      if (t.lastStatus === 'PENDING') {
        if (behaviour === 'failsToStart') {
          Object.assign(t, { lastStatus: 'STOPPED', stoppedAt: this.now, stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' });
        } else if (behaviour === 'exits') {
          Object.assign(t, { lastStatus: 'STOPPED', startedAt: this.now, stoppedAt: this.now, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
        } else {
          Object.assign(t, { lastStatus: 'RUNNING', startedAt: this.now });
        }
      } else if (t.lastStatus === 'RUNNING' && t.hasHealthCheck && t.healthStatus === 'UNKNOWN') {
        t.healthStatus = behaviour === 'unhealthy' ? 'UNHEALTHY' : 'HEALTHY';
      }
    }
  }
}

function simInstance(id: string): ObservedInstance {
  return { id, ec2InstanceId: `i-0${id.replace(/\D/g, '').padStart(16, '0')}`, status: 'ACTIVE', agentConnected: true, eligible: true };
}

function taskDefinitionRecord(arn: string): TaskDefinitionRecord {
  const revision = Number(arn.slice(arn.lastIndexOf(':') + 1));
  return {
    family: 'web', revision, taskDefinitionArn: arn, status: 'ACTIVE', registeredAt: 0, tags: [],
    containerDefinitions: [{ name: 'app', image: `web:${revision}` }],
  };
}

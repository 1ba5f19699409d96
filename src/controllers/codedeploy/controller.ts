/**
 * The CodeDeploy deployment engine: for each active deployment it looks at the ECS service
 * (through the task-sets port), runs the pure stage machine (`advanceDeployment`), converges
 * the world to the state it returns — the green task set created, the listeners' forwards,
 * the PRIMARY task set, the task sets deleted — and writes the deployment back in one
 * transaction guarded on the record it read (a ContinueDeployment or StopDeployment in between
 * wins; the next pass sees it).
 *
 *   deployments (informer) ──▶ pass ──▶ per active deployment: observe ──▶ advanceDeployment (pure)
 *        ▲                                   └──▶ converge (task sets, listener forwards) ──▶ write
 *        └── timers: the earliest wake-up a deployment asked for, and a resync every interval
 *
 * The task set created for a deployment carries its id as externalId, so a pass that created
 * it but crashed before writing finds it again instead of creating another.
 */
import { KickedPasses } from '../passes.ts';
import {
  advanceDeployment, alarmStop, isActive, watchedAlarms, type AlarmStatesPort, keys, parseDeploymentKey, stageDeploymentProgress,
  type DeploymentGroupRecord, type DeploymentRecord, type EngineState, type Observed, type Scope, type ServiceView, type TaskSetsPort, type TrafficPort,
} from '../../codedeploy/index.ts';
import type { Clock } from '../../common/index.ts';
import { decodeJson, Informer, transact, type Doc, type Store } from '../../state/index.ts';
import { realTimers, type Timers } from '../timers.ts';

export interface CodeDeployControllerOptions {
  store: Store;
  clock: Clock;
  taskSets: TaskSetsPort;
  traffic: TrafficPort;
  /** CloudWatch's alarms, for the groups whose alarmConfiguration watches their deployments (without it, none do). */
  alarms?: AlarmStatesPort;
  timers?: Timers;
  log?: (message: string) => void;
  /** How often active deployments are looked at even when nothing changed (green's tasks starting). Default 1 s. */
  intervalMs?: number;
}

/** Runs CodeDeploy's deployments. */
export class CodeDeployController {
  private readonly deployments: Informer<DeploymentRecord>;
  private readonly passes = new KickedPasses(() => this.runPass(), (e) => this.log(String(e)));
  private cancel?: () => void;
  private off?: () => void;
  private offAlarms?: () => void;

  constructor(private readonly o: CodeDeployControllerOptions) {
    this.deployments = new Informer<DeploymentRecord>({ store: o.store, prefix: keys.allDeployments, decode: decodeJson, onError: (e) => this.log(String(e)) });
  }

  /** Starts following deployments; a pass runs at once and on every change. */
  async start(): Promise<void> {
    await this.deployments.start();
    this.off = this.deployments.subscribe(() => this.passes.kick());
    // An alarm changing state is looked at at once (a pass with no active deployment does nothing).
    this.offAlarms = this.o.alarms?.subscribe(() => this.passes.kick());
    this.passes.kick();
  }

  /** Stops; resolves once a pass in progress is done. */
  async close(): Promise<void> {
    this.cancel?.();
    this.off?.();
    this.offAlarms?.();
    this.deployments.close();
    await this.passes.close();
  }

  /** One pass over every active deployment (after any pass in progress). */
  runOnce(): Promise<void> {
    return this.passes.run();
  }

  private log(message: string): void {
    this.o.log?.(`codedeploy: ${message}`);
  }

  private async runPass(): Promise<void> {
    await this.deployments.flushed();
    let wakeAt: number | undefined;
    let active = 0;
    for (const doc of this.deployments.list()) {
      if (!isActive(doc.value)) continue;
      const at = parseDeploymentKey(doc.key);
      if (!at) continue;
      active++;
      try {
        const wake = await this.advance(at.scope, doc);
        if (wake !== undefined) wakeAt = Math.min(wakeAt ?? wake, wake);
      } catch (error) {
        this.log(`${doc.value.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.passes.closed) return;
    this.cancel?.();
    const now = this.o.clock.now();
    const interval = this.o.intervalMs ?? 1000;
    const delay = active === 0 ? undefined : Math.max(0, Math.min(interval, (wakeAt ?? Infinity) - now));
    if (delay !== undefined) this.cancel = (this.o.timers ?? realTimers).after(delay, () => this.passes.kick());
  }

  /** Moves one deployment along; returns when it wants to be looked at again. */
  private async advance(scope: Scope, doc: Doc<DeploymentRecord>): Promise<number | undefined> {
    const now = this.o.clock.now();
    let d: DeploymentRecord = doc.value;
    if (d.status === 'Created') d = { ...d, status: 'InProgress', startedAt: now };
    let failure: Observed['failure'];
    let service: ServiceView | undefined;
    try {
      service = await this.o.taskSets.service(scope, d.target.clusterName, d.target.serviceName);
      if (!d.engine.blue && !d.engine.ending) d = { ...d, engine: await this.resolveBlueGreen(scope, d, service) };
    } catch (error) {
      failure = failureOf(error);
      if (!failure) throw error; // not a refusal: the next pass tries again
    }
    const alarm = d.engine.ending ? undefined : await this.alarmStop(scope, d);
    let step = advanceDeployment(d, { ...observe(d.engine, service), ...(failure ? { failure } : {}), ...(alarm ? { alarm } : {}) }, now);
    try {
      step = { ...step, state: await this.converge(scope, d, step.state, service) };
    } catch (error) {
      // A write refused fails the deployment; the rollback it may bring is written at once.
      const failure = failureOf(error);
      if (!failure) throw error; // not a refusal (the store did not answer, say): the next pass tries again
      const failed = advanceDeployment({ ...d, engine: step.state, status: step.status }, { ...observe(step.state, service), failure }, now);
      step = { ...failed, state: await this.converge(scope, d, failed.state, service).catch((e: unknown) => { this.log(`${d.id}: rollback: ${String(e)}`); return failed.state; }) };
    }
    const next: DeploymentRecord = {
      ...d, engine: step.state, status: step.status, updatedAt: now,
      ...(step.completed ? { completedAt: now } : {}),
      ...(step.completed?.error ? { error: step.completed.error } : {}),
      ...(step.completed?.rollbackMessage ? { rollbackMessage: step.completed.rollbackMessage } : {}),
    };
    // Nothing moved: no write (a write would wake this controller again).
    if (JSON.stringify({ ...next, updatedAt: 0 }) === JSON.stringify({ ...doc.value, updatedAt: 0 })) return step.wakeAt;
    await transact(this.o.store, async (tx) => {
      if (await tx.revisionOf(doc.key) !== doc.modRevision) return; // changed by a request: the next pass starts from it
      const group = await tx.get<DeploymentGroupRecord>(keys.group(scope, d.applicationName, d.groupName));
      stageDeploymentProgress(tx, scope, next, group);
    });
    return step.wakeAt;
  }

  /** Whether the alarms of the deployment's group stop it now (their states read as they are). */
  private async alarmStop(scope: Scope, d: DeploymentRecord): Promise<{ code: string; message: string } | undefined> {
    const port = this.o.alarms;
    if (!port) return undefined;
    return transact(this.o.store, async (tx) => {
      const group = await tx.get<DeploymentGroupRecord>(keys.group(scope, d.applicationName, d.groupName));
      const names = watchedAlarms(group);
      return names.length ? alarmStop(group, await port.read(tx, scope, names)) : undefined;
    });
  }

  /** Blue is the service's PRIMARY task set and its target group; green the pair's other group. */
  private async resolveBlueGreen(scope: Scope, d: DeploymentRecord, service: ServiceView | undefined): Promise<EngineState> {
    const { clusterName, serviceName } = d.target;
    if (!service) throw new DeploymentFailure('INVALID_ECS_SERVICE', `The ECS service ${serviceName} in cluster ${clusterName} does not exist.`);
    if (service.deploymentController !== 'CODE_DEPLOY') {
      throw new DeploymentFailure('INVALID_ECS_SERVICE', `The ECS service ${serviceName} uses the ${service.deploymentController} deployment controller, not CODE_DEPLOY.`);
    }
    const primary = service.taskSets.find((t) => t.status === 'PRIMARY');
    if (!primary) throw new DeploymentFailure('INVALID_ECS_SERVICE', `The ECS service ${serviceName} has no PRIMARY task set to replace.`);
    const groups = [];
    for (const name of d.targetGroupPair.targetGroups) {
      const arn = await this.o.traffic.targetGroupArn(scope, name);
      if (!arn) throw new DeploymentFailure('ELASTIC_LOAD_BALANCING_INVALID', `The target group ${name} does not exist.`);
      groups.push({ name, arn });
    }
    let blueAt = groups.findIndex((g) => g.arn === primary.targetGroupArn);
    if (blueAt < 0) {
      const forwards = await this.o.traffic.forwards(scope, d.targetGroupPair.prodListenerArns[0]!);
      const top = [...(forwards ?? [])].sort((a, b) => b.weight - a.weight)[0];
      blueAt = Math.max(0, groups.findIndex((g) => g.arn === top?.targetGroupArn));
    }
    const blue = groups[blueAt]!;
    const green = groups[1 - blueAt]!;
    return {
      ...d.engine,
      blue: { taskSetId: primary.id, targetGroupArn: blue.arn, targetGroupName: blue.name },
      green: { targetGroupArn: green.arn, targetGroupName: green.name },
    };
  }

  /** Makes the world what `s` says: green created, forwards, PRIMARY, deletions. Returns `s` with green's id. */
  private async converge(scope: Scope, d: DeploymentRecord, s: EngineState, service: ServiceView | undefined): Promise<EngineState> {
    const { clusterName, serviceName } = d.target;
    if (!s.blue || !s.green || s.phase === 'Start') return s;
    if (s.ending && !s.ending.rollback) return s; // stopped where it is
    let state = s;
    // Forwards first: a green group at weight 0 is in the load balancer's use before green's tasks register in it.
    const blueArn = state.blue!.targetGroupArn;
    const greenArn = state.green!.targetGroupArn;
    const split = (greenPercent: number) => [{ targetGroupArn: blueArn, weight: 100 - greenPercent }, { targetGroupArn: greenArn, weight: greenPercent }];
    for (const l of d.targetGroupPair.testListenerArns) await this.o.traffic.forward(scope, l, split(state.testOnGreen ? 100 : 0));
    for (const l of d.targetGroupPair.prodListenerArns) await this.o.traffic.forward(scope, l, split(state.greenPercent));
    if (!state.green!.taskSetId && !state.greenDeleted && state.phase !== 'RollBack') {
      const created = await this.o.taskSets.createTaskSet(scope, clusterName, serviceName, { externalId: d.id, targetGroupArn: s.green!.targetGroupArn, appSpec: d.appSpec });
      state = { ...state, green: { ...state.green!, taskSetId: created.id } };
    }
    const present = new Set(service?.taskSets.map((t) => t.id));
    const primaryNow = service?.taskSets.find((t) => t.status === 'PRIMARY')?.id;
    const wantPrimary = state.greenPrimary ? state.green!.taskSetId : state.blue!.taskSetId;
    if (wantPrimary && primaryNow !== wantPrimary && (present.has(wantPrimary) || wantPrimary === state.green!.taskSetId)) {
      await this.o.taskSets.makePrimary(scope, clusterName, serviceName, wantPrimary);
    }
    if (state.blueDeleted && present.has(state.blue!.taskSetId)) await this.o.taskSets.deleteTaskSet(scope, clusterName, serviceName, state.blue!.taskSetId);
    const greenId = state.green!.taskSetId;
    if (state.greenDeleted && greenId && present.has(greenId)) await this.o.taskSets.deleteTaskSet(scope, clusterName, serviceName, greenId);
    return state;
  }
}

/** What the stage machine reads of the service this pass. */
function observe(s: EngineState, service: ServiceView | undefined): Omit<Observed, 'failure'> {
  const find = (id: string | undefined) => (id ? service?.taskSets.find((t) => t.id === id) : undefined);
  const green = find(s.green?.taskSetId);
  return {
    greenSteady: green !== undefined && green.steady && green.runningCount >= green.desiredCount,
    greenGone: !green,
    blueGone: !find(s.blue?.taskSetId),
  };
}

/** Why a deployment cannot go on, in CodeDeploy's error codes. */
class DeploymentFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * A refusal — a DeploymentFailure, or an AWS error for the caller's fault (status under 500) — as
 * the deployment's error; undefined for anything else (a store that did not answer, a lost
 * race), which fails nothing: the pass is tried again.
 */
function failureOf(error: unknown): NonNullable<Observed['failure']> | undefined {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return undefined;
  const refused = error instanceof DeploymentFailure || ('status' in error && typeof error.status === 'number' && error.status < 500);
  if (!refused) return undefined;
  return { code: /^[A-Z_]+$/.test(error.code) ? error.code : 'ECS_UPDATE_ERROR', message: error.message };
}

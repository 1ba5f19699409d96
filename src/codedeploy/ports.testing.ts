/**
 * TEST HARNESS, not production code: in-memory ECS task sets and listener forwards behind the
 * deployment engine's ports. Task sets start not steady; `settle()` makes them steady, as ECS
 * would once their tasks run healthy. `fail` makes the next calls of a method throw a refusal;
 * `unreachable` makes every call throw as a store that does not answer would. `FakeAlarms` holds
 * CloudWatch alarms' states and tells its listeners when one changes.
 */
import { AwsError } from '../aws/index.ts';
import type { AlarmState } from './alarms.ts';
import type { AlarmStatesPort, ForwardWeight, ServiceView, TaskSetView, TaskSetsPort, TrafficPort } from './ports.ts';
import type { EcsAppSpec, Scope } from './records.ts';

/** A fake ECS with services running task sets. */
export class FakeTaskSets implements TaskSetsPort {
  readonly services = new Map<string, ServiceView & { desiredCount: number }>();
  readonly created: { externalId: string; targetGroupArn: string; appSpec: EcsAppSpec }[] = [];
  fail: Partial<Record<'createTaskSet' | 'makePrimary' | 'deleteTaskSet', string>> = {};
  unreachable = false;
  private next = 1;

  /** A CODE_DEPLOY service with its blue task set PRIMARY on `targetGroupArn`. */
  addService(cluster: string, service: string, targetGroupArn: string, desiredCount = 2, controller = 'CODE_DEPLOY'): TaskSetView {
    const blue: TaskSetView = {
      id: `ecs-svc/${this.next++}`, status: 'PRIMARY', taskDefinition: 'web:1', desiredCount, pendingCount: 0, runningCount: desiredCount, targetGroupArn, steady: true,
    };
    this.services.set(`${cluster}/${service}`, { arn: `arn:aws:ecs:us-east-1:111122223333:service/${cluster}/${service}`, deploymentController: controller, taskSets: [blue], desiredCount });
    return blue;
  }

  /** Every task set's tasks run healthy. */
  settle(): void {
    for (const s of this.services.values()) for (const t of s.taskSets) Object.assign(t, { steady: true, runningCount: t.desiredCount, pendingCount: 0 });
  }

  private reach(): void {
    if (this.unreachable) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2379'), { code: 'ECONNREFUSED' });
  }

  private get(cluster: string, service: string) {
    const s = this.services.get(`${cluster}/${service}`);
    if (!s) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return s;
  }

  async service(_scope: Scope, cluster: string, service: string): Promise<ServiceView | undefined> {
    this.reach();
    const s = this.services.get(`${cluster}/${service}`);
    return s ? { ...s, taskSets: s.taskSets.map((t) => ({ ...t })) } : undefined;
  }

  async createTaskSet(_scope: Scope, cluster: string, service: string, spec: { externalId: string; targetGroupArn: string; appSpec: EcsAppSpec }): Promise<TaskSetView> {
    this.reach();
    if (this.fail.createTaskSet) throw new AwsError('ECS_UPDATE_ERROR', this.fail.createTaskSet);
    const s = this.get(cluster, service);
    const existing = s.taskSets.find((t) => t.externalId === spec.externalId);
    if (existing) return { ...existing };
    this.created.push(spec);
    const t: TaskSetView = {
      id: `ecs-svc/${this.next++}`, status: 'ACTIVE', externalId: spec.externalId, taskDefinition: spec.appSpec.taskDefinition,
      desiredCount: s.desiredCount, pendingCount: s.desiredCount, runningCount: 0, targetGroupArn: spec.targetGroupArn, steady: false,
    };
    s.taskSets.push(t);
    return { ...t };
  }

  async makePrimary(_scope: Scope, cluster: string, service: string, taskSetId: string): Promise<void> {
    if (this.fail.makePrimary) throw new AwsError('ECS_UPDATE_ERROR', this.fail.makePrimary);
    const s = this.get(cluster, service);
    if (!s.taskSets.some((t) => t.id === taskSetId)) throw new AwsError('TaskSetNotFoundException', `Task set ${taskSetId} not found.`);
    for (const t of s.taskSets) t.status = t.id === taskSetId ? 'PRIMARY' : 'ACTIVE';
  }

  async deleteTaskSet(_scope: Scope, cluster: string, service: string, taskSetId: string): Promise<void> {
    if (this.fail.deleteTaskSet) throw new AwsError('ECS_UPDATE_ERROR', this.fail.deleteTaskSet);
    const s = this.get(cluster, service);
    s.taskSets = s.taskSets.filter((t) => t.id !== taskSetId);
  }
}

/** Fake listeners forwarding to target groups by ARN. */
export class FakeTraffic implements TrafficPort {
  readonly groups = new Map<string, string>();
  readonly listeners = new Map<string, ForwardWeight[]>();
  /** Every forward written, in order, per listener. */
  readonly history = new Map<string, ForwardWeight[][]>();

  async targetGroupArn(_scope: Scope, name: string): Promise<string | undefined> {
    return this.groups.get(name);
  }

  async forwards(_scope: Scope, listenerArn: string): Promise<ForwardWeight[] | undefined> {
    return this.listeners.get(listenerArn);
  }

  async forward(_scope: Scope, listenerArn: string, weights: ForwardWeight[]): Promise<void> {
    if (!this.listeners.has(listenerArn)) throw new AwsError('ListenerNotFound', `Listener ${listenerArn} not found.`);
    if (JSON.stringify(this.listeners.get(listenerArn)) === JSON.stringify(weights)) return;
    this.listeners.set(listenerArn, weights);
    this.history.set(listenerArn, [...(this.history.get(listenerArn) ?? []), weights]);
  }

  /** The weight of `targetGroupArn` on the listener. */
  weight(listenerArn: string, targetGroupArn: string): number {
    return this.listeners.get(listenerArn)?.find((w) => w.targetGroupArn === targetGroupArn)?.weight ?? 0;
  }
}

/** Fake CloudWatch alarms: `set` changes a state (or, undefined, deletes the alarm) and tells the listeners. */
export class FakeAlarms implements AlarmStatesPort {
  readonly states = new Map<string, AlarmState['state']>();
  private readonly listeners = new Set<(scope: Scope, name: string) => void>();

  async read(_tx: unknown, _scope: Scope, names: readonly string[]): Promise<AlarmState[]> {
    return names.flatMap((name) => { const state = this.states.get(name); return state ? [{ name, state }] : []; });
  }

  subscribe(listener: (scope: Scope, name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(scope: Scope, name: string, state: AlarmState['state'] | undefined): void {
    if (state) this.states.set(name, state);
    else this.states.delete(name);
    for (const l of this.listeners) l(scope, name);
  }
}

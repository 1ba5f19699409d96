/**
 * The Auto Scaling controller: keeps each Auto Scaling group at its desired capacity with EC2
 * instances reached through the instances port. A pass looks at every group (on any change to a
 * group, and every interval, since EC2's instances change without telling it):
 *
 *   groups (informer) ──▶ pass ──▶ per group: describe its instances (port)
 *        ▲                            └──▶ reconcileGroup (pure) ──▶ one write guarded on the group read
 *        │                                   └──▶ terminate (port) ──▶ launch each pending launch (port, client token)
 *        └── timers: a resync every interval        └──▶ record the instance (Pending) or the failure
 *
 * A launch is recorded in the group (with its client token) before the port is asked, so a pass
 * that crashed in between launches the same instance again rather than another. A pass that
 * changes nothing writes nothing. Desired capacity changes act at once: the group's cooldown
 * holds only SetDesiredCapacity with HonorCooldown (and simple scaling, which Wharf does not run).
 */
import {
  autoscalingKeys, launched, launchFailed, parseGroupKey, reconcileGroup, stageActivity, stageActivityEnd, stageActivityTrim,
  type GroupRecord, type InstancesPort, type Scope,
} from '../../autoscaling/index.ts';
import { sameJson, type Clock, type Ids } from '../../common/index.ts';
import { decodeJson, getDoc, Informer, listDocs, transact, type Store } from '../../state/index.ts';
import { KickedPasses } from '../passes.ts';
import { realTimers, type Timers } from '../timers.ts';

export interface AutoScalingControllerOptions {
  store: Store;
  clock: Clock;
  ids: Ids;
  instances: InstancesPort;
  timers?: Timers;
  log?: (message: string) => void;
  /** How often every group's instances are looked at even when no group changed. Default 10 s. */
  intervalMs?: number;
}

/** Runs Auto Scaling groups. */
export class AutoScalingController {
  private readonly groups: Informer<GroupRecord>;
  private readonly passes = new KickedPasses(() => this.runPass(), (e) => this.log(String(e)));
  private cancel?: () => void;
  private off?: () => void;

  constructor(private readonly o: AutoScalingControllerOptions) {
    this.groups = new Informer<GroupRecord>({ store: o.store, prefix: autoscalingKeys.allGroups, decode: decodeJson, onError: (e) => this.log(String(e)) });
  }

  /** Starts following groups; a pass runs at once, on every change and every interval. */
  async start(): Promise<void> {
    await this.groups.start();
    this.off = this.groups.subscribe(() => this.passes.kick());
    this.passes.kick();
  }

  /** Stops; resolves once a pass in progress is done. */
  async close(): Promise<void> {
    this.cancel?.();
    this.off?.();
    this.groups.close();
    await this.passes.close();
  }

  /** One pass over every group (after any pass in progress). */
  runOnce(): Promise<void> {
    return this.passes.run();
  }

  /** Resolves when no pass is running or queued. */
  idle(): Promise<void> {
    return this.passes.idle();
  }

  private log(message: string): void {
    this.o.log?.(`autoscaling: ${message}`);
  }

  private async runPass(): Promise<void> {
    await this.groups.flushed();
    for (const doc of this.groups.list()) {
      const at = parseGroupKey(doc.key);
      if (!at) continue;
      try {
        await this.reconcile(at.scope, at.name);
      } catch (error) {
        this.log(`${at.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.passes.closed) return;
    this.cancel?.();
    this.cancel = (this.o.timers ?? realTimers).after(this.o.intervalMs ?? 10_000, () => this.passes.kick());
  }

  /** Converges one group: observe, decide, write, then act through the port. */
  private async reconcile(scope: Scope, name: string): Promise<void> {
    const key = autoscalingKeys.group(scope, name);
    const read = (await getDoc<GroupRecord>(this.o.store, key))?.value;
    if (!read) return;
    const asked = new Set(read.instances.map((i) => i.instanceId));
    const views = asked.size ? await this.o.instances.describe(scope, [...asked]) : [];
    const now = this.o.clock.now();
    const step = await transact(this.o.store, async (tx) => {
      const current = await tx.get<GroupRecord>(key);
      if (!current) return undefined;
      const s = reconcileGroup(current, asked, views, now, () => this.o.ids.uuid());
      for (const end of s.ended) await stageActivityEnd(tx, scope, current, end.id, now, end.statusCode, end.statusMessage);
      if (s.begun.length) await stageActivityTrim(tx, scope, name, s.begun.length);
      for (const a of s.begun) stageActivity(tx, scope, a);
      if (!s.next) {
        // A forced delete is done: the group goes, with its activities.
        tx.delete(key);
        for (const d of await listDocs(tx.store, autoscalingKeys.activities(scope, name))) tx.delete(d.key);
      } else if (!sameJson(s.next, current)) {
        tx.put(key, s.next);
      }
      return s;
    });
    if (!step) return;
    if (step.terminate.length) await this.o.instances.terminate(scope, step.terminate);
    for (const entry of step.next?.launching ?? []) await this.launch(scope, step.next!, entry.clientToken);
  }

  /** Launches one pending launch and records its instance, or the failure. */
  private async launch(scope: Scope, group: GroupRecord, clientToken: string): Promise<void> {
    const entry = group.launching.find((l) => l.clientToken === clientToken)!;
    const tags = [...group.tags.filter((t) => t.propagateAtLaunch).map((t) => ({ key: t.key, value: t.value })), { key: 'aws:autoscaling:groupName', value: group.name }];
    let outcome: { instanceId: string; instanceType: string } | { error: string };
    try {
      outcome = await this.o.instances.launch(scope, { launchTemplate: group.launchTemplate, availabilityZone: entry.availabilityZone, subnetId: entry.subnetId, tags, clientToken });
    } catch (error) {
      outcome = { error: error instanceof Error ? error.message : String(error) };
    }
    const key = autoscalingKeys.group(scope, group.name);
    const now = this.o.clock.now();
    await transact(this.o.store, async (tx) => {
      const current = await tx.get<GroupRecord>(key);
      if (!current) return;
      const done = 'error' in outcome
        ? launchFailed(current, clientToken, outcome.error, now, this.o.ids.uuid())
        : launched(current, clientToken, outcome, now, this.o.ids.uuid());
      if (!done) return;
      await stageActivityTrim(tx, scope, group.name, 1);
      stageActivity(tx, scope, done.activity);
      tx.put(key, done.next);
    });
    if ('error' in outcome) this.log(`${group.name}: launch failed: ${outcome.error}`);
  }
}

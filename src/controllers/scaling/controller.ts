/**
 * The scaling controller: every minute (on the injected clock and timers), and when told that
 * an alarm changed state, it runs each scalable target's scheduled actions that are due and
 * each of its policies whose alarm is in ALARM, with the pure decisions of the scaling domain,
 * setting the service's desiredCount through the services port and recording each activity.
 *
 *   timer / alarm change ──▶ per target: due scheduled actions ──▶ fireScheduledAction
 *                                         policies + alarm readings ──▶ decisions, combined (pure) ──▶ scaleTo, markScaled
 *
 * Cooldowns and fired schedules are stored on the policy and the action, so a pass run twice
 * (or by the next leader) changes nothing the second time.
 */
import { SerialPasses } from '../passes.ts';
import { alarmDatapoints, describeAlarms, type AlarmRecord } from '../../metrics/index.ts';
import {
  combineDecisions, describePolicies, describeScheduledActions, dueScheduledTime, fireScheduledAction, getTarget, markScaled, scaleTo, scalingKeys, scopeOfTargetKey,
  stepDecision, targetTrackingDecision, type AlarmReading, type PolicyRecord, type ScalableTargetRecord, type ScalingDecision, type ScalingEnv, type Scope,
} from '../../scaling/index.ts';
import { listDocs } from '../../state/index.ts';
import { realTimers, type Timers } from '../timers.ts';

export interface ScalingControllerOptions extends ScalingEnv {
  timers?: Timers;
  log?: (message: string) => void;
  /** Default one minute, as alarms are evaluated. */
  intervalMs?: number;
}

/** Runs scheduled actions and scaling policies, periodically and on alarm changes. */
export class ScalingController {
  private cancel?: () => void;
  private readonly passes = new SerialPasses(() => this.runPass());
  private closed = false;

  constructor(private readonly o: ScalingControllerOptions) {}

  /** Runs a pass now, then every interval. */
  start(): void {
    const timers = this.o.timers ?? realTimers;
    const tick = () => {
      if (this.closed) return;
      this.nudge();
      this.cancel = timers.after(this.o.intervalMs ?? 60_000, tick);
    };
    tick();
  }

  /** Runs a pass soon (an alarm changed state). */
  nudge(): void {
    if (this.closed) return;
    void this.runOnce().catch((error: unknown) => this.o.log?.(`scaling controller: ${String(error)}`));
  }

  /** Stops; resolves once a pass in progress is done. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel?.();
    await this.idle();
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    await this.passes.idle();
  }

  /** One pass over every target (after any pass in progress). */
  runOnce(): Promise<void> {
    return this.passes.run();
  }

  private async runPass(): Promise<void> {
    const alarmsByScope = new Map<string, AlarmRecord[]>();
    for (const { key, value: target } of await listDocs<ScalableTargetRecord>(this.o.store, scalingKeys.allTargets)) {
      const scope = scopeOfTargetKey(key);
      if (!scope) continue;
      try {
        const sk = `${scope.account}/${scope.region}`;
        if (!alarmsByScope.has(sk)) alarmsByScope.set(sk, await describeAlarms(this.o.store, scope, {}));
        await this.runTarget(scope, target, alarmsByScope.get(sk)!);
      } catch (error) {
        this.o.log?.(`scaling controller: ${target.resourceId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private async runTarget(scope: Scope, first: ScalableTargetRecord, alarms: AlarmRecord[]): Promise<void> {
    const now = this.o.clock.now();
    if (!first.suspended.scheduledScalingSuspended) {
      for (const action of await describeScheduledActions(this.o, scope, first.resourceId)) {
        const due = dueScheduledTime(action, now);
        if (due !== undefined) await fireScheduledAction(this.o, scope, action, due);
      }
    }
    const target = await getTarget(this.o, scope, first.resourceId).catch(() => undefined);
    if (!target) return;
    const current = await this.o.services.desiredCount(scope, target.clusterName, target.serviceName);
    if (current === undefined) return;
    // Every policy decides from the same current capacity; one change comes of them all.
    const decisions = [];
    for (const policy of await describePolicies(this.o, scope, target.resourceId)) {
      decisions.push({ policy, decision: await this.decide(scope, policy, target, current, alarms, now) });
    }
    const chosen = combineDecisions(decisions);
    if (!chosen) return;
    const by = decisions.find((d) => d.decision === chosen.decision)!.policy;
    await scaleTo(this.o, scope, target, chosen.decision.capacity, `monitor alarm ${chosen.decision.alarmName} in state ALARM triggered policy ${by.name}`);
    for (const policy of chosen.policies) await markScaled(this.o, scope, policy, chosen.decision.direction, now);
  }

  private async decide(scope: Scope, policy: PolicyRecord, target: ScalableTargetRecord, current: number, alarms: AlarmRecord[], now: number): Promise<ScalingDecision | undefined> {
    const reading = async (alarm: AlarmRecord): Promise<AlarmReading> => {
      const points = alarm.state === 'ALARM' ? await alarmDatapoints(this.o.store, scope, alarm, now) : [];
      const latest = points.sort((a, b) => a.timestamp - b.timestamp).at(-1);
      return { name: alarm.name, state: alarm.state, ...(latest ? { value: latest.value } : {}), ...(alarm.threshold !== undefined ? { threshold: alarm.threshold } : {}) };
    };
    if (policy.policyType === 'TargetTrackingScaling') {
      const owned = alarms.filter((a) => policy.alarms.some((p) => p.name === a.name));
      return targetTrackingDecision(policy, target, current, await Promise.all(owned.map(reading)), now);
    }
    // A step policy runs while an alarm (actions enabled) naming its ARN is in ALARM.
    for (const alarm of alarms) {
      if (!alarm.actionsEnabled || alarm.state !== 'ALARM' || !alarm.alarmActions.includes(policy.arn)) continue;
      const decision = stepDecision(policy, target, current, await reading(alarm), now);
      if (decision) return decision;
    }
    return undefined;
  }
}

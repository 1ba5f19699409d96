/**
 * The alarm controller: every minute (on the injected clock and timers) it evaluates each
 * metric alarm over its latest datapoints with the pure `evaluateAlarm`, writes a state change
 * (with its history entry) in one transaction guarded on the alarm, and tells the actions port
 * of each change of an alarm whose actions are enabled. Hourly it applies metric retention.
 *
 *   timer ──▶ list alarms ──▶ per alarm: datapoints ──▶ evaluateAlarm (pure) ──▶ setAlarmState
 *                                                        └─ changed ──▶ onAlarmStateChange
 *
 * Nothing is remembered between passes: a pass run twice changes nothing the second time.
 */
import { SerialPasses } from '../passes.ts';
import type { Clock, Ids } from '../../common/index.ts';
import {
  alarmDatapoints, alarmPeriod, evaluateAlarm, metricKeys, parseAlarmKey, runRetention, setAlarmState,
  type AlarmRecord, type AlarmState, type AlarmStateChange,
} from '../../metrics/index.ts';
import { listDocs, type Store } from '../../state/index.ts';
import { realTimers, type Timers } from '../timers.ts';

/** Told of every alarm state change whose alarm has actions enabled. */
export interface AlarmActionsPort {
  onAlarmStateChange(alarm: AlarmRecord, previous: AlarmState, next: AlarmState): void;
}

export interface AlarmControllerOptions {
  store: Store;
  clock: Clock;
  ids: Ids;
  timers?: Timers;
  actions?: AlarmActionsPort;
  log?: (message: string) => void;
  /** Default one minute, as CloudWatch evaluates standard-resolution alarms. */
  intervalMs?: number;
  /** How often retention runs (default hourly). */
  retentionEveryMs?: number;
  /** Told of every state change, whatever the alarm's actions (EventBridge's "CloudWatch Alarm State Change"). */
  onStateChange?: (scope: { account: string; region: string }, change: AlarmStateChange) => void;
}

/** Evaluates every metric alarm, periodically. */
export class AlarmController {
  private cancel?: () => void;
  private readonly passes = new SerialPasses(() => this.runPass());
  private lastRetention = 0;
  private closed = false;

  constructor(private readonly o: AlarmControllerOptions) {}

  /** Runs a pass now, then every interval. */
  start(): void {
    const timers = this.o.timers ?? realTimers;
    const tick = () => {
      if (this.closed) return;
      void this.runOnce().catch((error: unknown) => this.o.log?.(`alarm controller: ${String(error)}`));
      this.cancel = timers.after(this.o.intervalMs ?? 60_000, tick);
    };
    tick();
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

  /** One pass over every alarm (after any pass in progress); resolves with the changes it made. */
  runOnce(): Promise<AlarmStateChange[]> {
    return this.passes.run();
  }

  private async runPass(): Promise<AlarmStateChange[]> {
    const now = this.o.clock.now();
    const changes: AlarmStateChange[] = [];
    for (const { key, value: alarm } of await listDocs<AlarmRecord>(this.o.store, metricKeys.allAlarms)) {
      const at = parseAlarmKey(key);
      if (!at) continue;
      try {
        const points = await alarmDatapoints(this.o.store, at.scope, alarm, now);
        const evaluation = evaluateAlarm({ ...alarm, period: alarmPeriod(alarm) }, points, now);
        if (evaluation.state === alarm.state) continue;
        const change = await setAlarmState({ store: this.o.store, clock: this.o.clock, ids: this.o.ids }, at.scope, at.name, evaluation);
        if (!change) continue;
        changes.push(change);
        this.o.onStateChange?.(at.scope, change);
        if (change.next.actionsEnabled) this.o.actions?.onAlarmStateChange(change.next, change.previous.state, change.next.state);
      } catch (error) {
        this.o.log?.(`alarm controller: ${at.scope.account}/${at.scope.region}/${at.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (now - this.lastRetention >= (this.o.retentionEveryMs ?? 3_600_000)) {
      this.lastRetention = now;
      await runRetention(this.o.store, now).catch((error: unknown) => this.o.log?.(`metric retention: ${String(error)}`));
    }
    return changes;
  }
}

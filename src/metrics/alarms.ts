/**
 * Metric alarms over the store: PutMetricAlarm's create-or-update, reads with DescribeAlarms'
 * filters, deletion, SetAlarmState, actions on and off, tags, and the history of each change.
 * Every write is one transaction guarded on the alarm it read; each state change writes its
 * history entry in the same transaction.
 */
import type { Clock, Ids } from '../common/index.ts';
import { listDocs, transact, type Store } from '../state/index.ts';
import { MetricsErrors } from './errors.ts';
import type { Evaluation } from './evaluate.ts';
import { alarmArn, metricKeys, type AlarmRecord, type AlarmState, type HistoryRecord, type Scope } from './records.ts';

/** What alarms run on. */
export interface AlarmsEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** An alarm's settings, as PutMetricAlarm gives them. */
export type AlarmSettings = Omit<AlarmRecord, 'arn' | 'configurationUpdatedAt' | 'state' | 'stateReason' | 'stateReasonData' | 'stateUpdatedAt' | 'stateTransitionedAt'>;

/** A state change: the alarm before and after. */
export interface AlarmStateChange {
  previous: AlarmRecord;
  next: AlarmRecord;
}

/** Orders entries written in the same millisecond by this process. */
let sequence = 0;

function history(env: AlarmsEnv, scope: Scope, entry: HistoryRecord): [string, HistoryRecord] {
  sequence = (sequence + 1) % 1e9;
  return [metricKeys.historyItem(scope, entry.timestamp, `${String(sequence).padStart(9, '0')}-${env.ids.uuid()}`), entry];
}

/** PutMetricAlarm: creates the alarm (INSUFFICIENT_DATA, unchecked) or replaces its settings, keeping its state and tags. */
export async function putMetricAlarm(env: AlarmsEnv, scope: Scope, settings: AlarmSettings): Promise<AlarmRecord> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const key = metricKeys.alarm(scope, settings.name);
    const existing = await tx.get<AlarmRecord>(key);
    const record: AlarmRecord = existing
      ? { ...settings, tags: existing.tags, arn: existing.arn, configurationUpdatedAt: now, state: existing.state, stateReason: existing.stateReason,
        ...(existing.stateReasonData !== undefined ? { stateReasonData: existing.stateReasonData } : {}), stateUpdatedAt: existing.stateUpdatedAt,
        stateTransitionedAt: existing.stateTransitionedAt }
      : { ...settings, arn: alarmArn(scope, settings.name), configurationUpdatedAt: now, state: 'INSUFFICIENT_DATA',
        stateReason: 'Unchecked: Initial alarm creation', stateUpdatedAt: now, stateTransitionedAt: now };
    tx.put(key, record);
    const [hk, hv] = history(env, scope, {
      alarmName: settings.name, alarmType: 'MetricAlarm', timestamp: now, type: 'ConfigurationUpdate',
      summary: `Alarm "${settings.name}" ${existing ? 'updated' : 'created'}`,
      data: JSON.stringify({ version: '1.0', type: existing ? 'Update' : 'Create', ...(existing ? {} : { createdAlarm: { alarmName: settings.name, threshold: settings.threshold } }) }),
    });
    tx.put(hk, hv);
    return record;
  });
}

/** DescribeAlarms' filters. */
export interface AlarmFilter {
  names?: string[];
  prefix?: string;
  state?: AlarmState;
  actionPrefix?: string;
}

/** The alarms matching the filter, by name. */
export async function describeAlarms(store: Store, scope: Scope, f: AlarmFilter): Promise<AlarmRecord[]> {
  const all = (await listDocs<AlarmRecord>(store, metricKeys.alarms(scope))).map((d) => d.value);
  return all.filter((a) => (!f.names?.length || f.names.includes(a.name))
    && (f.prefix === undefined || a.name.startsWith(f.prefix))
    && (f.state === undefined || a.state === f.state)
    && (f.actionPrefix === undefined || [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((x) => x.startsWith(f.actionPrefix!))));
}

/** DeleteAlarms: all or none (an unknown name refuses the whole call, as AWS does). */
export async function deleteAlarms(env: AlarmsEnv, scope: Scope, names: string[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const missing: string[] = [];
    for (const name of names) if (!(await tx.get<AlarmRecord>(metricKeys.alarm(scope, name)))) missing.push(name);
    if (missing.length) throw MetricsErrors.alarmsNotFound(missing);
    for (const name of names) tx.delete(metricKeys.alarm(scope, name));
  });
}

/**
 * Moves the alarm to `evaluation`'s state when it differs (writing the history entry), and
 * records the reason either way; resolves with the change, if there was one.
 */
export async function setAlarmState(env: AlarmsEnv, scope: Scope, name: string, evaluation: Evaluation, manual = false): Promise<AlarmStateChange | undefined> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const key = metricKeys.alarm(scope, name);
    const previous = await tx.get<AlarmRecord>(key);
    if (!previous) throw MetricsErrors.alarmNotFound(name);
    if (previous.state === evaluation.state && !manual) return undefined;
    const next: AlarmRecord = {
      ...previous, state: evaluation.state, stateReason: evaluation.reason, stateReasonData: evaluation.reasonData, stateUpdatedAt: now,
      stateTransitionedAt: previous.state === evaluation.state ? previous.stateTransitionedAt : now,
    };
    tx.put(key, next);
    let reasonData: unknown;
    try {
      reasonData = JSON.parse(evaluation.reasonData);
    } catch {
      reasonData = undefined;
    }
    const [hk, hv] = history(env, scope, {
      alarmName: name, alarmType: 'MetricAlarm', timestamp: now, type: 'StateUpdate',
      summary: `Alarm updated from ${previous.state} to ${evaluation.state}`,
      data: JSON.stringify({
        version: '1.0',
        oldState: { stateValue: previous.state, stateReason: previous.stateReason },
        newState: { stateValue: evaluation.state, stateReason: evaluation.reason, ...(reasonData !== undefined ? { stateReasonData: reasonData } : {}) },
      }),
    });
    tx.put(hk, hv);
    return { previous, next };
  });
}

/** EnableAlarmActions / DisableAlarmActions: names that are not alarms are passed over, as AWS does. */
export async function setActionsEnabled(env: AlarmsEnv, scope: Scope, names: string[], enabled: boolean): Promise<void> {
  await transact(env.store, async (tx) => {
    for (const name of names) {
      const record = await tx.get<AlarmRecord>(metricKeys.alarm(scope, name));
      if (record && record.actionsEnabled !== enabled) tx.put(metricKeys.alarm(scope, name), { ...record, actionsEnabled: enabled });
    }
  });
}

/** The name of the alarm an ARN of this scope names, or undefined. */
function alarmNameOf(scope: Scope, arn: string): string | undefined {
  const prefix = alarmArn(scope, '');
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

/** Changes the tags of the alarm `arn` names: `set` added or replaced, then `remove` removed. */
export async function tagAlarm(env: AlarmsEnv, scope: Scope, arn: string, set: { key: string; value: string }[], remove: string[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const name = alarmNameOf(scope, arn);
    const record = name === undefined ? undefined : await tx.get<AlarmRecord>(metricKeys.alarm(scope, name));
    if (!record || name === undefined) throw MetricsErrors.resourceNotFound(arn);
    const tags = new Map(record.tags.map((t) => [t.key, t.value]));
    for (const t of set) tags.set(t.key, t.value);
    for (const k of remove) tags.delete(k);
    if (tags.size > 50) throw MetricsErrors.limitExceeded('The maximum number of tags per resource is 50.');
    tx.put(metricKeys.alarm(scope, name), { ...record, tags: [...tags].map(([key, value]) => ({ key, value })) });
  });
}

/** The tags of the alarm `arn` names. */
export async function tagsOf(store: Store, scope: Scope, arn: string): Promise<{ key: string; value: string }[]> {
  const name = alarmNameOf(scope, arn);
  const record = name === undefined ? undefined : (await describeAlarms(store, scope, { names: [name] }))[0];
  if (!record) throw MetricsErrors.resourceNotFound(arn);
  return record.tags;
}

/** DescribeAlarmHistory's filters. */
export interface HistoryFilter {
  name?: string;
  type?: HistoryRecord['type'];
  start?: number;
  end?: number;
  newestFirst: boolean;
}

/** The history entries matching the filter. */
export async function alarmHistory(store: Store, scope: Scope, f: HistoryFilter): Promise<HistoryRecord[]> {
  const all = (await listDocs<HistoryRecord>(store, metricKeys.history(scope))).map((d) => d.value)
    .filter((h) => (f.name === undefined || h.alarmName === f.name) && (f.type === undefined || h.type === f.type)
      && (f.start === undefined || h.timestamp >= f.start) && (f.end === undefined || h.timestamp <= f.end));
  return f.newestFirst ? all.reverse() : all;
}

/**
 * Deployment alarms (deploymentConfiguration.alarms): the CloudWatch alarms a deployment is
 * watched by. They live in the metrics domain; ECS reaches them through the `AlarmsPort` the
 * control plane gives it, reading their states in its own transaction (so a state change
 * between the read and the commit makes the service decide again) and hearing of changes so a
 * deployment fails as soon as one of its alarms goes into ALARM.
 */
import type { Tx } from '../state/index.ts';
import type { Scope } from './records.ts';
import type { DeploymentRecord } from './service-records.ts';

/** A deployment alarm as ECS needs to know it. */
export interface DeploymentAlarm {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /**
   * How long the alarm needs to see a whole evaluation window (period × evaluation periods):
   * the bake time a rolling deployment watches it for once its tasks are up.
   */
  windowMs: number;
}

/** How ECS reads CloudWatch alarms (the control plane implements it over the metrics domain). */
export interface AlarmsPort {
  /** The alarms of these names in `scope` that exist, read through `tx`. */
  read(tx: Tx, scope: Scope, names: readonly string[]): Promise<DeploymentAlarm[]>;
  /** Calls `listener` whenever an alarm's state changes (or it is created or deleted). */
  subscribe(listener: (scope: Scope, name: string) => void): () => void;
}

/** The alarms a deployment is watched by: none unless its configuration enables them. */
export function watchedAlarms(d: DeploymentRecord | undefined): string[] {
  const alarms = d?.deploymentConfiguration.alarms;
  return alarms?.enable ? [...(alarms.alarmNames ?? [])] : [];
}

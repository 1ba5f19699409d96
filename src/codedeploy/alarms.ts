/**
 * Pure: a deployment group's CloudWatch alarms (alarmConfiguration) as CodeDeploy acts on
 * them. While a deployment runs, an alarm of its group in ALARM stops it (ALARM_ACTIVE), and
 * an alarm whose state cannot be read stops it too unless the group ignores poll failures.
 * The engine reads the states through the alarms port and hands them here.
 */
import { CodeDeployErrors } from './errors.ts';
import type { DeploymentGroupRecord } from './records.ts';

/** alarmConfiguration as the API gives it (kept on the group). */
export interface AlarmConfigurationRecord {
  enabled?: boolean;
  ignorePollAlarmFailure?: boolean;
  alarms?: { name?: string }[];
}

/** CodeDeploy's limit on a group's alarms. */
export const MAX_ALARMS = 10;

/** The group's alarm configuration, if it has one. */
export const alarmConfigurationOf = (g: DeploymentGroupRecord | undefined): AlarmConfigurationRecord | undefined =>
  g?.extra.alarmConfiguration as AlarmConfigurationRecord | undefined;

/** The alarms a group's deployments are watched by: none unless its configuration is enabled. */
export function watchedAlarms(g: DeploymentGroupRecord | undefined): string[] {
  const c = alarmConfigurationOf(g);
  return c?.enabled ? [...new Set((c.alarms ?? []).map((a) => a.name ?? '').filter((n) => n !== ''))] : [];
}

/** Refuses an alarm configuration CodeDeploy would not take. */
export function checkAlarmConfiguration(c: AlarmConfigurationRecord | undefined): void {
  if (!c) return;
  const alarms = c.alarms ?? [];
  if (alarms.length > MAX_ALARMS) {
    throw CodeDeployErrors.alarmsLimitExceeded(`alarmConfiguration.alarms: at most ${MAX_ALARMS} alarms may be given.`);
  }
  if (alarms.some((a) => !a.name)) throw CodeDeployErrors.invalidAlarmConfig('alarmConfiguration.alarms: every alarm needs a name.');
  if (c.enabled && alarms.length === 0) throw CodeDeployErrors.invalidAlarmConfig('alarmConfiguration.alarms: an enabled alarm configuration names at least one alarm.');
}

/** An alarm's state as the engine read it. */
export interface AlarmState {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
}

/**
 * Why the alarms stop a deployment now, or undefined: the alarms in ALARM (CodeDeploy's
 * ALARM_ACTIVE message), else those not found when poll failures are not ignored.
 */
export function alarmStop(g: DeploymentGroupRecord | undefined, found: readonly AlarmState[]): { code: string; message: string } | undefined {
  const watched = watchedAlarms(g);
  if (watched.length === 0) return undefined;
  const active = watched.filter((n) => found.some((a) => a.name === n && a.state === 'ALARM'));
  if (active.length) {
    return {
      code: 'ALARM_ACTIVE',
      message: `One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <${active.join(', ')}>`,
    };
  }
  const missing = watched.filter((n) => !found.some((a) => a.name === n));
  if (missing.length && !alarmConfigurationOf(g)?.ignorePollAlarmFailure) {
    return { code: 'ALARM_ACTIVE', message: `The state of alarms <${missing.join(', ')}> could not be retrieved from Amazon CloudWatch, and the deployment group does not ignore alarm poll failures.` };
  }
  return undefined;
}

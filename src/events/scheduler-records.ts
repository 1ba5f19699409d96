/**
 * EventBridge Scheduler as stored: schedule groups, schedules (each with its one target) and
 * each schedule's firing state, apart from EventBridge's buses and rules. Records are not API
 * shapes: timestamps are epoch ms; the Scheduler adapter (`services/scheduler`) turns them into
 * the API's.
 */
import { AwsError } from '../aws/index.ts';
import type { EcsTargetParameters, EventsTag, Scope } from './records.ts';

/** The group every account and region has: it always exists and cannot be deleted. */
export const DEFAULT_GROUP = 'default';

/** A schedule group. The default group is shown before anything was written. */
export interface ScheduleGroupRecord {
  name: string;
  arn: string;
  tags: EventsTag[];
  createdAt?: number;
  updatedAt?: number;
}

/** A schedule's target: what each invocation calls, as the API gave it. */
export interface ScheduleTargetRecord {
  arn: string;
  roleArn: string;
  input?: string;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
  deadLetterArn?: string;
  ecsParameters?: EcsTargetParameters;
  /** EventBridgeParameters: the event a PutEvents target sends. */
  eventBridgeParameters?: { detailType: string; source: string };
}

/** A schedule: when (its expression, zone, window and dates) and what (its target). */
export interface ScheduleRecord {
  name: string;
  groupName: string;
  arn: string;
  scheduleExpression: string;
  /** IANA time zone the expression is read in (UTC when absent). */
  timezone?: string;
  startDate?: number;
  endDate?: number;
  state: 'ENABLED' | 'DISABLED';
  flexibleTimeWindow: { mode: 'OFF' | 'FLEXIBLE'; maximumWindowInMinutes?: number };
  actionAfterCompletion: 'NONE' | 'DELETE';
  description?: string;
  kmsKeyArn?: string;
  target: ScheduleTargetRecord;
  createdAt: number;
  updatedAt: number;
  /** Random hex drawn when the schedule was (re)written: its flexible window offsets derive from it. */
  seed: string;
}

/** The nominal due time a schedule last fired for, written with the delivery that firing enqueued. */
export interface ScheduleFiredRecord {
  lastDueAt: number;
  /** The seed of the schedule as it was then: a rewritten schedule counts its times afresh. */
  seed: string;
}

const base = (s: Scope) => `scheduler/${s.account}/${s.region}`;

/** `#` is no character of a group or schedule name, so a group's prefix names no other group's schedules. */
export const schedulerKeys = {
  groups: (s: Scope) => `${base(s)}/group/`,
  group: (s: Scope, name: string) => `${base(s)}/group/${name}`,
  allSchedules: (s: Scope) => `${base(s)}/schedule/`,
  schedules: (s: Scope, group: string) => `${base(s)}/schedule/${group}#`,
  schedule: (s: Scope, group: string, name: string) => `${base(s)}/schedule/${group}#${name}`,
  fired: (s: Scope, group: string, name: string) => `${base(s)}/fired/${group}#${name}`,
  /** Every record of every account and region: the firing pass lists the schedules among them. */
  everything: () => 'scheduler/',
};

/** `arn:aws:scheduler:<region>:<account>:schedule-group/<name>`. */
export const scheduleGroupArn = (s: Scope, name: string) => `arn:aws:scheduler:${s.region}:${s.account}:schedule-group/${name}`;

/** `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`. */
export const scheduleArn = (s: Scope, group: string, name: string) => `arn:aws:scheduler:${s.region}:${s.account}:schedule/${group}/${name}`;

/** The errors Scheduler answers with, by its codes and statuses: the one list its domain and adapter throw from. */
export const SchedulerErrors = {
  validation: (message: string) => new AwsError('ValidationException', message, 400),
  scheduleNotFound: (name: string) => new AwsError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404),
  groupNotFound: (name: string) => new AwsError('ResourceNotFoundException', `Schedule group ${name} does not exist.`, 404),
  resourceNotFound: (arn: string) => new AwsError('ResourceNotFoundException', `Resource ${arn} does not exist.`, 404),
  scheduleExists: (name: string) => new AwsError('ConflictException', `Schedule ${name} already exists.`, 409),
  groupExists: (name: string) => new AwsError('ConflictException', `Schedule group ${name} already exists.`, 409),
  quota: (message: string) => new AwsError('ServiceQuotaExceededException', message, 402),
  invalidNextToken: () => new AwsError('ValidationException', 'Invalid NextToken.', 400),
};

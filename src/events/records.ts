/**
 * EventBridge as stored: one record per event bus, one per rule (with its targets: at most
 * five), a rule's schedule state, and the delivery queue. Records are not API shapes:
 * timestamps are epoch ms; the EventBridge adapter (`services/events`) turns them into the API's.
 */

/** Every bus and rule belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A tag on a bus or rule. */
export interface EventsTag {
  key: string;
  value: string;
}

/** An event bus. `default` exists in every account and region (written on first use). */
export interface BusRecord {
  name: string;
  arn: string;
  description?: string;
  tags: EventsTag[];
  createdAt?: number;
}

/** How a target's input is shaped from the matched event. */
export interface InputTransformer {
  pathsMap?: Record<string, string>;
  template: string;
}

/** A rule's target, as PutTargets gave it (EcsParameters kept as the API shaped them). */
export interface TargetRecord {
  id: string;
  arn: string;
  roleArn?: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: InputTransformer;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
  deadLetterArn?: string;
  ecsParameters?: EcsTargetParameters;
  /** An SQS FIFO queue target's MessageGroupId (SqsParameters). */
  sqsParameters?: { messageGroupId?: string };
}

/** A target's EcsParameters: what RunTask is asked for. */
export interface EcsTargetParameters {
  taskDefinitionArn: string;
  taskCount?: number;
  launchType?: string;
  networkConfiguration?: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: string };
  group?: string;
  platformVersion?: string;
  tags?: EventsTag[];
  propagateTags?: string;
  enableEcsManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  referenceId?: string;
  /** Scheduler's: the capacity providers RunTask picks from (a `FARGATE*` one runs the tasks on the Fargate pool). */
  capacityProviderStrategy?: { capacityProvider: string; weight?: number; base?: number }[];
  /** Scheduler's: RunTask's placement. */
  placementConstraints?: { type?: string; expression?: string }[];
  placementStrategy?: { type?: string; field?: string }[];
}

/** A rule on a bus: an event pattern, a schedule (default bus only), or both. */
export interface RuleRecord {
  name: string;
  arn: string;
  busName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
  tags: EventsTag[];
  targets: TargetRecord[];
  createdAt: number;
  /** When its schedule was last (re)set: a rate() counts its periods from here. */
  scheduledAt?: number;
}

/** When a scheduled rule last fired (written with the deliveries that firing enqueued). */
export interface ScheduleStateRecord {
  lastFireAt: number;
}

/** One event for one target of one rule, waiting to be delivered (at least once). */
export interface DeliveryRecord {
  id: string;
  scope: Scope;
  ruleArn: string;
  busName: string;
  target: TargetRecord;
  /** The event as targets see it (the envelope with `detail`). */
  event: Record<string, unknown>;
  enqueuedAt: number;
  attempts: number;
  /** Not tried again before this time (after a failed attempt). */
  notBefore?: number;
  /** The service that invokes the target and assumes its role: `events.amazonaws.com` when absent, `scheduler.amazonaws.com` for a schedule. */
  principal?: string;
  /** RunTask's startedBy for an ECS target (`events-rule` when absent). */
  startedBy?: string;
}

/** A delivery that could not be made, kept with its reason (and sent on to the dead-letter queue's record when the target has one). */
export interface FailedDeliveryRecord {
  id: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  reason: string;
  event: Record<string, unknown>;
  failedAt: number;
  deadLetterArn?: string;
}

const base = (s: Scope) => `events/${s.account}/${s.region}`;

/** `#` is no character of a bus or rule name, so a bus's rule prefix names no other bus's rules. */
export const keys = {
  buses: (s: Scope) => `${base(s)}/bus/`,
  bus: (s: Scope, name: string) => `${base(s)}/bus/${name}`,
  allRules: (s: Scope) => `${base(s)}/rule/`,
  rules: (s: Scope, bus: string) => `${base(s)}/rule/${bus}#`,
  rule: (s: Scope, bus: string, name: string) => `${base(s)}/rule/${bus}#${name}`,
  /** Rewritten with every change to a bus's rules, so readers of the rules can tell theirs are current. */
  rulesChanged: (s: Scope, bus: string) => `${base(s)}/rules-changed/${bus}`,
  scheduleState: (s: Scope, name: string) => `${base(s)}/schedule/${name}`,
  failed: (s: Scope) => `${base(s)}/failed/`,
  failure: (s: Scope, id: string) => `${base(s)}/failed/${id}`,
  deadLetters: (s: Scope) => `${base(s)}/dead-letter/`,
  deadLetter: (s: Scope, id: string) => `${base(s)}/dead-letter/${id}`,
  /** The delivery queue of every account and region: the delivery controller watches this one prefix. */
  queue: () => 'events-queue/',
  delivery: (id: string) => `events-queue/${id}`,
  /** Every rule of every account and region: the schedule controller lists these. */
  everyRule: () => 'events/',
};

/** `arn:aws:events:<region>:<account>:event-bus/<name>`. */
export const busArn = (s: Scope, name: string) => `arn:aws:events:${s.region}:${s.account}:event-bus/${name}`;

/** `...:rule/<name>` on the default bus, `...:rule/<bus>/<name>` on another. */
export const ruleArn = (s: Scope, bus: string, name: string) =>
  `arn:aws:events:${s.region}:${s.account}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;

/** The bus every account and region has. */
export const DEFAULT_BUS = 'default';

/** A bus named by name or ARN: its name. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return DEFAULT_BUS;
  const m = /^arn:aws[a-z-]*:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

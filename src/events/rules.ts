/**
 * Rules and their targets: PutRule, DescribeRule, ListRules, EnableRule, DisableRule,
 * DeleteRule (refused while the rule has targets), PutTargets (at most five per rule),
 * RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget, and a rule's tags. A rule's event
 * pattern and schedule are checked here, as EventBridge words their errors.
 */
import { listDocs, transact, type Tx } from '../state/index.ts';
import { ensureBus, findBus, type EventsEnv } from './buses.ts';
import { EventsErrors } from './errors.ts';
import { PatternError, parsePattern } from './pattern.ts';
import { DEFAULT_BUS, keys, ruleArn, type EventsTag, type RuleRecord, type Scope, type TargetRecord } from './records.ts';
import { ScheduleError, parseSchedule } from './schedule.ts';

/** The most targets a rule has. */
export const MAX_TARGETS = 5;

/** What PutRule asks for. */
export interface PutRuleRequest {
  name: string;
  busName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state?: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
  tags: EventsTag[];
}

/** An EventPattern's problem, as InvalidEventPatternException. */
export function checkPattern(text: string): void {
  try {
    parsePattern(text);
  } catch (error) {
    if (error instanceof PatternError) throw EventsErrors.invalidPattern(error.message);
    throw error;
  }
}

/** PutRule: creates the rule or replaces what it says (its targets and tags stay). */
export async function putRule(env: EventsEnv, scope: Scope, req: PutRuleRequest): Promise<RuleRecord> {
  if (req.eventPattern === undefined && req.scheduleExpression === undefined) {
    throw EventsErrors.validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  }
  if (req.eventPattern !== undefined) checkPattern(req.eventPattern);
  if (req.scheduleExpression !== undefined) {
    try {
      parseSchedule(req.scheduleExpression);
    } catch (error) {
      if (error instanceof ScheduleError) throw EventsErrors.validation(error.message);
      throw error;
    }
    if (req.busName !== DEFAULT_BUS) throw EventsErrors.validation('ScheduleExpression is supported only on the default event bus.');
  }
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    await ensureBus(tx, scope, req.busName, now);
    const existing = await tx.get<RuleRecord>(keys.rule(scope, req.busName, req.name));
    const rescheduled = req.scheduleExpression !== existing?.scheduleExpression || (req.state ?? 'ENABLED') !== existing?.state;
    const rule: RuleRecord = {
      name: req.name, arn: ruleArn(scope, req.busName, req.name), busName: req.busName, state: req.state ?? 'ENABLED',
      tags: existing?.tags ?? req.tags, targets: existing?.targets ?? [], createdAt: existing?.createdAt ?? now,
      ...(req.eventPattern !== undefined ? { eventPattern: req.eventPattern } : {}),
      ...(req.scheduleExpression !== undefined ? { scheduleExpression: req.scheduleExpression, scheduledAt: rescheduled ? now : existing?.scheduledAt ?? now } : {}),
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.roleArn !== undefined ? { roleArn: req.roleArn } : {}),
    };
    tx.put(keys.rule(scope, req.busName, req.name), rule);
    rulesChanged(tx, scope, req.busName, now);
    return rule;
  });
}

/** Marks the bus's rules changed in `tx`: cached copies of them (src/events/rule-cache.ts) are read again. */
function rulesChanged(tx: Tx, scope: Scope, busName: string, now: number): void {
  tx.put(keys.rulesChanged(scope, busName), { at: now });
}

/** The rule, or ResourceNotFoundException in AWS's words. */
export async function describeRule(env: EventsEnv, scope: Scope, busName: string, name: string): Promise<RuleRecord> {
  return transact(env.store, async (tx) => {
    await findBus(tx, scope, busName);
    const rule = await tx.get<RuleRecord>(keys.rule(scope, busName, name));
    if (!rule) throw EventsErrors.ruleNotFound(name, busName);
    return rule;
  });
}

/** ListRules: the bus's rules by name, NamePrefix filtering. */
export async function listRules(env: EventsEnv, scope: Scope, busName: string, namePrefix?: string): Promise<RuleRecord[]> {
  await transact(env.store, (tx) => findBus(tx, scope, busName));
  return (await listDocs<RuleRecord>(env.store, keys.rules(scope, busName))).map((d) => d.value).filter((r) => !namePrefix || r.name.startsWith(namePrefix));
}

/** Changes one rule in a transaction guarded on it. */
export async function modifyRule(env: EventsEnv, scope: Scope, busName: string, name: string, change: (rule: RuleRecord) => RuleRecord | undefined): Promise<RuleRecord> {
  return transact(env.store, async (tx) => {
    await findBus(tx, scope, busName);
    const rule = await tx.get<RuleRecord>(keys.rule(scope, busName, name));
    if (!rule) throw EventsErrors.ruleNotFound(name, busName);
    const updated = change(rule);
    if (updated === undefined) tx.delete(keys.rule(scope, busName, name));
    else if (updated !== rule) tx.put(keys.rule(scope, busName, name), updated);
    if (updated !== rule) rulesChanged(tx, scope, busName, env.clock.now());
    return updated ?? rule;
  });
}

/** EnableRule / DisableRule (enabling restarts a rate() schedule's periods). */
export async function setRuleState(env: EventsEnv, scope: Scope, busName: string, name: string, state: 'ENABLED' | 'DISABLED'): Promise<RuleRecord> {
  const now = env.clock.now();
  return modifyRule(env, scope, busName, name, (rule) => (rule.state === state ? rule
    : { ...rule, state, ...(rule.scheduleExpression !== undefined && state === 'ENABLED' ? { scheduledAt: now } : {}) }));
}

/** DeleteRule: refused while it has targets; a rule that does not exist is no error. */
export async function deleteRule(env: EventsEnv, scope: Scope, busName: string, name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    await findBus(tx, scope, busName);
    const rule = await tx.get<RuleRecord>(keys.rule(scope, busName, name));
    if (!rule) return;
    if (rule.targets.length > 0) throw EventsErrors.validation('Rule can\'t be deleted since it has targets.');
    tx.delete(keys.rule(scope, busName, name));
    tx.delete(keys.scheduleState(scope, name));
    rulesChanged(tx, scope, busName, env.clock.now());
  });
}

/** One target PutTargets could not take, and why. */
export interface FailedTarget {
  targetId: string;
  errorCode: string;
  errorMessage: string;
}

/** PutTargets: targets added or replaced by Id; a target that cannot be taken is a failed entry. */
export async function putTargets(
  env: EventsEnv, scope: Scope, busName: string, name: string, targets: TargetRecord[], problemOf: (t: TargetRecord, rule: RuleRecord) => string | undefined,
): Promise<FailedTarget[]> {
  let failed: FailedTarget[] = [];
  await modifyRule(env, scope, busName, name, (rule) => {
    failed = [];
    const byId = new Map(rule.targets.map((t) => [t.id, t]));
    for (const t of targets) {
      const problem = problemOf(t, rule);
      if (problem !== undefined) failed.push({ targetId: t.id, errorCode: 'ValidationException', errorMessage: problem });
      else byId.set(t.id, t);
    }
    if (byId.size > MAX_TARGETS) throw EventsErrors.limitExceeded('The requested resource exceeds the maximum number allowed.');
    return { ...rule, targets: [...byId.values()] };
  });
  return failed;
}

/** RemoveTargets: the targets with these ids are gone (ids the rule lacks are no error). */
export async function removeTargets(env: EventsEnv, scope: Scope, busName: string, name: string, ids: string[]): Promise<void> {
  await modifyRule(env, scope, busName, name, (rule) => ({ ...rule, targets: rule.targets.filter((t) => !ids.includes(t.id)) }));
}

/** ListRuleNamesByTarget: the bus's rules with a target of `targetArn`. */
export async function ruleNamesByTarget(env: EventsEnv, scope: Scope, busName: string, targetArn: string): Promise<string[]> {
  return (await listRules(env, scope, busName)).filter((r) => r.targets.some((t) => t.arn === targetArn)).map((r) => r.name);
}

/**
 * What ELBv2 does with the rules of application load balancers' listeners, over the store:
 * CreateRule (a priority of 1–50000 unique per listener, held by a guard key), ModifyRule,
 * SetRulePriorities, DeleteRule and DescribeRules, which shows the listener's default rule last
 * with priority `default`. The data plane evaluates a listener's rules by ascending priority,
 * then its default actions.
 */
import { listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { checkActions, stageForwards, stageRelease, forwardedGroups, type ActionInput } from './actions.ts';
import { LIMITS } from './catalog.ts';
import { checkConditions, type ConditionInput } from './conditions.ts';
import { LbErrors } from './errors.ts';
import { findListener } from './listeners.ts';
import { findLoadBalancer, type LbEnv } from './load-balancers.ts';
import { keys, lbId, parseLbArn, ruleArn, type Action, type ForwardAction, type LbTag, type ListenerRecord, type RuleRecord, type Scope } from './records.ts';
import { checkTags } from './tags.ts';

/** What CreateRule asks for. */
export interface CreateRuleRequest {
  listenerArn: string;
  priority: number;
  conditions: ConditionInput[];
  actions: ActionInput[];
  tags: LbTag[];
}

/** A listener's default rule, as DescribeRules shows it (made from the listener: its actions are the listener's). */
export const defaultRuleOf = (listener: ListenerRecord): RuleRecord => ({
  id: listener.defaultRuleId, arn: ruleArn(listener, listener.defaultRuleId), listenerArn: listener.arn, listenerId: listener.id,
  loadBalancerArn: listener.loadBalancerArn, priority: 'default', conditions: [], actions: listener.defaultActions, tags: [], createdAt: listener.createdAt,
});

/** The rule an ARN names (a default rule too), with its listener, read through `tx`. */
async function findRule(tx: Tx, scope: Scope, arn: string): Promise<{ rule: RuleRecord; listener: ListenerRecord }> {
  const p = parseLbArn(arn);
  if (p?.kind !== 'listener-rule') throw LbErrors.ruleNotFound();
  const listener = await tx.get<ListenerRecord>(keys.listener(scope, p.loadBalancerId, p.listenerId));
  if (!listener) throw LbErrors.ruleNotFound();
  if (listener.defaultRuleId === p.id) return { rule: defaultRuleOf(listener), listener };
  const rule = await tx.get<RuleRecord>(keys.rule(scope, p.listenerId, p.id));
  if (!rule || rule.arn !== arn) throw LbErrors.ruleNotFound();
  return { rule, listener };
}

function checkPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 1 || priority > 50000) throw LbErrors.validation(`Priority '${priority}' must be between 1 and 50000`);
}

/** CreateRule. */
export async function createRule(env: LbEnv, scope: Scope, req: CreateRuleRequest): Promise<RuleRecord> {
  checkPriority(req.priority);
  checkTags(req.tags);
  const conditions = checkConditions(req.conditions);
  const now = env.clock.now();
  const id = lbId(env.ids.hex32());
  return transact(env.store, async (tx) => {
    const listener = await findListener(tx, scope, req.listenerArn);
    const lb = await findLoadBalancer(tx, scope, listener.loadBalancerArn);
    if (lb.type !== 'application') throw LbErrors.unsupportedProtocol('Rules are supported only on the listeners of Application Load Balancers');
    const actions = checkActions(req.actions, lb.type);
    const priorityKey = keys.priority(scope, listener.id, req.priority);
    if (await tx.get(priorityKey)) throw LbErrors.priorityInUse(req.priority);
    let count = 0;
    for (const l of await tx.list<ListenerRecord>(keys.listeners(scope, lb.id))) count += (await tx.list(keys.rules(scope, l.id))).length;
    if (count >= LIMITS['rules-per-application-load-balancer']) throw LbErrors.tooManyRules();
    const rule: RuleRecord = {
      id, arn: ruleArn(listener, id), listenerArn: listener.arn, listenerId: listener.id, loadBalancerArn: lb.arn,
      priority: req.priority, conditions, actions, tags: req.tags, createdAt: now,
    };
    await stageForwards(tx, scope, lb, listener.protocol, rule.arn, [], actions);
    tx.put(priorityKey, { id });
    tx.put(keys.rule(scope, listener.id, id), rule);
    return rule;
  });
}

/** ModifyRule: its conditions and/or actions; a default rule's actions are its listener's default actions. */
export async function modifyRule(store: Store, scope: Scope, arn: string, change: { conditions?: ConditionInput[]; actions?: ActionInput[] }): Promise<RuleRecord> {
  const conditions = change.conditions !== undefined ? checkConditions(change.conditions) : undefined;
  return transact(store, async (tx) => {
    const { rule, listener } = await findRule(tx, scope, arn);
    const lb = await findLoadBalancer(tx, scope, listener.loadBalancerArn);
    const actions = change.actions !== undefined ? checkActions(change.actions, lb.type) : rule.actions;
    if (rule.priority === 'default') {
      if (conditions) throw LbErrors.operationNotPermitted('The conditions of a default rule cannot be modified');
      await stageForwards(tx, scope, lb, listener.protocol, listener.arn, listener.defaultActions, actions);
      const updated = { ...listener, defaultActions: actions };
      tx.put(keys.listener(scope, listener.loadBalancerId, listener.id), updated);
      return defaultRuleOf(updated);
    }
    await stageForwards(tx, scope, lb, listener.protocol, rule.arn, rule.actions, actions);
    const updated = { ...rule, actions, ...(conditions ? { conditions } : {}) };
    tx.put(keys.rule(scope, listener.id, rule.id), updated);
    return updated;
  });
}

/**
 * Sets the target groups and weights of the first forward action of a rule — or of a listener's
 * default actions, given a listener's ARN (a Network Load Balancer's production listener) — as
 * ECS does to shift traffic between a blue and a green target group. Staged in the caller's
 * transaction; resolves false (writing nothing) when it already forwards so, and throws
 * ELBv2's errors when the rule or a group is not there.
 */
export async function stageForwardWeights(tx: Tx, scope: Scope, arn: string, weights: { targetGroupArn: string; weight: number }[]): Promise<boolean> {
  const p = parseLbArn(arn);
  const found = p?.kind === 'listener' ? { listener: await findListener(tx, scope, arn), rule: undefined } : await findRule(tx, scope, arn);
  const { listener } = found;
  const isDefault = !found.rule || found.rule.priority === 'default';
  const before = isDefault ? listener.defaultActions : found.rule!.actions;
  const forward = before.find((a): a is ForwardAction => a.type === 'forward');
  if (!forward) throw LbErrors.validation(`The rule '${arn}' has no forward action`);
  if (JSON.stringify(forward.targetGroups) === JSON.stringify(weights)) return false;
  const actions: Action[] = before.map((a) => (a === forward ? { ...forward, targetGroups: weights } : a));
  const lb = await findLoadBalancer(tx, scope, listener.loadBalancerArn);
  const userArn = isDefault ? listener.arn : found.rule!.arn;
  await stageForwards(tx, scope, lb, listener.protocol, userArn, before, actions);
  if (isDefault) tx.put(keys.listener(scope, listener.loadBalancerId, listener.id), { ...listener, defaultActions: actions });
  else tx.put(keys.rule(scope, listener.id, found.rule!.id), { ...found.rule!, actions });
  return true;
}

/** SetRulePriorities: every rule named moves at once; a priority held by a rule not named is in use. */
export async function setRulePriorities(store: Store, scope: Scope, changes: { ruleArn: string; priority: number }[]): Promise<RuleRecord[]> {
  if (new Set(changes.map((c) => c.ruleArn)).size !== changes.length) throw LbErrors.validation('A rule can be specified only once');
  for (const c of changes) checkPriority(c.priority);
  return transact(store, async (tx) => {
    const found = [];
    for (const c of changes) {
      const { rule } = await findRule(tx, scope, c.ruleArn);
      if (rule.priority === 'default') throw LbErrors.operationNotPermitted('The priority of a default rule cannot be changed');
      found.push({ rule, priority: c.priority });
    }
    const taken = new Set<string>();
    for (const { rule, priority } of found) {
      const slot = `${rule.listenerId}/${priority}`;
      if (taken.has(slot)) throw LbErrors.priorityInUse(priority);
      taken.add(slot);
    }
    for (const { rule } of found) tx.delete(keys.priority(scope, rule.listenerId, rule.priority as number));
    const moved: RuleRecord[] = [];
    for (const { rule, priority } of found) {
      const key = keys.priority(scope, rule.listenerId, priority);
      if (await tx.get(key)) throw LbErrors.priorityInUse(priority);
      tx.put(key, { id: rule.id });
      const updated = { ...rule, priority };
      tx.put(keys.rule(scope, rule.listenerId, rule.id), updated);
      moved.push(updated);
    }
    return moved;
  });
}

/** DeleteRule: never a default rule. */
export async function deleteRule(store: Store, scope: Scope, arn: string): Promise<void> {
  await transact(store, async (tx) => {
    const { rule } = await findRule(tx, scope, arn);
    if (rule.priority === 'default') throw LbErrors.operationNotPermitted('A default rule cannot be deleted');
    for (const tg of forwardedGroups(rule.actions)) await stageRelease(tx, scope, rule.arn, tg);
    tx.delete(keys.priority(scope, rule.listenerId, rule.priority));
    tx.delete(keys.rule(scope, rule.listenerId, rule.id));
  });
}

const byPriority = (a: RuleRecord, b: RuleRecord) => (a.priority === 'default' ? 1 : b.priority === 'default' ? -1 : a.priority - b.priority);

/** DescribeRules: a listener's rules by priority, its default rule last; or the rules named. */
export async function describeRules(store: Store, scope: Scope, req: { listenerArn?: string; arns?: string[] }): Promise<RuleRecord[]> {
  if ((req.listenerArn === undefined) === !req.arns?.length) throw LbErrors.validation('Either a listener ARN or rule ARNs must be specified, but not both');
  return transact(store, async (tx) => {
    if (req.listenerArn !== undefined) {
      const listener = await findListener(tx, scope, req.listenerArn);
      const rules = (await listDocs<RuleRecord>(store, keys.rules(scope, listener.id))).map((d) => d.value);
      return [...rules, defaultRuleOf(listener)].sort(byPriority);
    }
    const out: RuleRecord[] = [];
    for (const arn of new Set(req.arns)) out.push((await findRule(tx, scope, arn)).rule);
    return out.sort(byPriority);
  });
}

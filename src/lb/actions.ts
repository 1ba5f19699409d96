/**
 * Listener and rule actions: their validation (one terminal action, last; forward, redirect and
 * fixed-response as ELBv2 allows them on each kind of load balancer), and the bookkeeping that
 * ties a forward to its target groups (`usedBy` on each group, staged in the same transaction).
 */
import type { Tx } from '../state/index.ts';
import { isHttp } from './attributes.ts';
import { LIMITS } from './catalog.ts';
import { LbErrors } from './errors.ts';
import { keys, parseLbArn, type Action, type LoadBalancerRecord, type Protocol, type Scope, type TargetGroupRecord } from './records.ts';

/** An action as a request gives it. */
export interface ActionInput {
  type?: string;
  order?: number;
  targetGroupArn?: string;
  forwardConfig?: { targetGroups?: { targetGroupArn?: string; weight?: number }[]; stickiness?: { enabled?: boolean; durationSeconds?: number } };
  redirectConfig?: { protocol?: string; port?: string; host?: string; path?: string; query?: string; statusCode?: string };
  fixedResponseConfig?: { statusCode?: string; contentType?: string; messageBody?: string };
}

const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];
const UNSUPPORTED = ['authenticate-oidc', 'authenticate-cognito', 'jwt-validation'];

function forwardOf(a: ActionInput, order: number, maxGroups: number): Action {
  const listed = a.forwardConfig?.targetGroups ?? [];
  if (a.targetGroupArn !== undefined && listed.length > 0) {
    if (listed.length !== 1 || listed[0]!.targetGroupArn !== a.targetGroupArn) {
      throw LbErrors.validation('You cannot specify both a target group ARN and a forward config with different target groups');
    }
  }
  const groups = a.targetGroupArn !== undefined && listed.length === 0
    ? [{ targetGroupArn: a.targetGroupArn, weight: 1 }]
    : listed.map((g) => ({ targetGroupArn: g.targetGroupArn ?? '', weight: g.weight ?? 1 }));
  if (groups.length === 0) throw LbErrors.validation("A target group ARN must be specified for a 'forward' action");
  if (groups.length > maxGroups) throw LbErrors.validation(`A forward action can have at most '${maxGroups}' target groups`);
  if (new Set(groups.map((g) => g.targetGroupArn)).size !== groups.length) throw LbErrors.validation('A target group can appear only once in a forward action');
  for (const g of groups) {
    if (!Number.isInteger(g.weight) || g.weight < 0 || g.weight > 999) throw LbErrors.validation(`Target group weight '${g.weight}' must be between 0 and 999`);
    if (parseLbArn(g.targetGroupArn)?.kind !== 'targetgroup') throw LbErrors.validation(`'${g.targetGroupArn}' is not a valid target group ARN`);
  }
  const st = a.forwardConfig?.stickiness;
  const durationSeconds = st?.durationSeconds;
  if (st?.enabled && (durationSeconds === undefined || durationSeconds < 1 || durationSeconds > 604800)) {
    throw LbErrors.validation('Target group stickiness duration must be between 1 and 604800 seconds');
  }
  return {
    type: 'forward', order, targetGroups: groups,
    stickiness: { enabled: st?.enabled ?? false, ...(st?.enabled && durationSeconds !== undefined ? { durationSeconds } : {}) },
  };
}

function redirectOf(a: ActionInput, order: number): Action {
  const r = a.redirectConfig;
  if (!r) throw LbErrors.validation("A redirect config must be specified for a 'redirect' action");
  if (r.statusCode !== 'HTTP_301' && r.statusCode !== 'HTTP_302') throw LbErrors.validation("Redirect status code must be one of 'HTTP_301, HTTP_302'");
  const protocol = r.protocol ?? '#{protocol}';
  const port = r.port ?? '#{port}';
  const host = r.host ?? '#{host}';
  const path = r.path ?? '/#{path}';
  const query = r.query ?? '#{query}';
  if (!['HTTP', 'HTTPS', '#{protocol}'].includes(protocol)) throw LbErrors.validation(`Redirect protocol '${protocol}' must be one of 'HTTP, HTTPS, #{protocol}'`);
  if (port !== '#{port}' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) throw LbErrors.validation(`Redirect port '${port}' is not valid`);
  if (!path.startsWith('/')) throw LbErrors.validation("Redirect path must start with a '/'");
  if (query.startsWith('?')) throw LbErrors.validation("Redirect query must not start with a '?'");
  if (host.length < 1 || host.length > 128 || path.length > 128 || query.length > 128) throw LbErrors.validation('Redirect components must be at most 128 characters');
  if (protocol === '#{protocol}' && port === '#{port}' && host === '#{host}' && path === '/#{path}' && query === '#{query}') {
    throw LbErrors.invalidAction('The redirect configuration is not valid because it creates a loop');
  }
  return { type: 'redirect', order, protocol, port, host, path, query, statusCode: r.statusCode };
}

function fixedResponseOf(a: ActionInput, order: number): Action {
  const f = a.fixedResponseConfig;
  if (!f || f.statusCode === undefined) throw LbErrors.validation("A fixed-response config must be specified for a 'fixed-response' action");
  if (!/^(2|4|5)\d\d$/.test(f.statusCode)) throw LbErrors.validation(`Fixed-response status code '${f.statusCode}' must be a 2XX, 4XX or 5XX code`);
  if (f.contentType !== undefined && !CONTENT_TYPES.includes(f.contentType)) {
    throw LbErrors.validation(`Fixed-response content type '${f.contentType}' must be one of '${CONTENT_TYPES.join(', ')}'`);
  }
  if (f.messageBody !== undefined && f.messageBody.length > 1024) throw LbErrors.validation('Fixed-response message body must be at most 1024 characters');
  return {
    type: 'fixed-response', order, statusCode: f.statusCode,
    ...(f.contentType !== undefined ? { contentType: f.contentType } : {}), ...(f.messageBody !== undefined ? { messageBody: f.messageBody } : {}),
  };
}

/** The actions of a listener of a load balancer of `type`, in order, checked; the one terminal action last. */
export function checkActions(inputs: ActionInput[], type: LoadBalancerRecord['type']): Action[] {
  if (inputs.length === 0) throw LbErrors.validation('At least one action must be specified');
  if (inputs.length > 5) throw LbErrors.tooManyActions();
  const application = type === 'application';
  const actions = inputs.map((a, i) => {
    const order = a.order ?? (inputs.length === 1 ? 1 : undefined);
    if (order === undefined) throw LbErrors.validation('An action order must be specified when there is more than one action');
    if (!Number.isInteger(order) || order < 1 || order > 50000) throw LbErrors.validation(`Action order '${order}' must be between 1 and 50000`);
    if (a.type === undefined) throw LbErrors.validation(`Action ${i + 1} needs a type`);
    if (UNSUPPORTED.includes(a.type)) throw LbErrors.invalidAction(`Action type '${a.type}' is not supported by this load balancer`);
    if (!application && a.type !== 'forward') throw LbErrors.invalidAction(`Action type '${a.type}' is not supported on network load balancers`);
    if (a.type === 'forward') {
      const max = application ? LIMITS['target-groups-per-action-on-application-load-balancer'] : LIMITS['target-groups-per-action-on-network-load-balancer'];
      return forwardOf(a, order, max);
    }
    if (a.type === 'redirect') return redirectOf(a, order);
    if (a.type === 'fixed-response') return fixedResponseOf(a, order);
    throw LbErrors.validation(`Action type '${a.type}' must be one of 'forward, redirect, fixed-response'`);
  }).sort((x, y) => x.order - y.order);
  if (new Set(actions.map((a) => a.order)).size !== actions.length) throw LbErrors.validation('Action orders must be unique');
  const terminal = actions.filter((a) => a.type === 'forward' || a.type === 'redirect' || a.type === 'fixed-response');
  if (terminal.length !== 1) throw LbErrors.invalidAction('Exactly one terminal action (forward, redirect or fixed-response) must be specified, as the last action');
  return actions;
}

/** The target groups an action list forwards to. */
export const forwardedGroups = (actions: readonly Action[]): string[] =>
  [...new Set(actions.flatMap((a) => (a.type === 'forward' ? a.targetGroups.map((g) => g.targetGroupArn) : [])))];

/** Whether a target group of `group` protocol can serve a listener of `listener` protocol. */
function compatible(listener: Protocol, group: Protocol): boolean {
  if (isHttp(listener)) return isHttp(group);
  if (listener === 'TCP_UDP') return group === 'TCP_UDP';
  if (listener === 'UDP') return group === 'UDP' || group === 'TCP_UDP';
  if (listener === 'TCP') return group === 'TCP' || group === 'TCP_UDP';
  return group === 'TCP' || group === 'TLS';
}

/**
 * Points `userArn`'s forwards at `actions`' target groups: each read through `tx` (so a racing
 * DeleteTargetGroup conflicts), checked for the load balancer's VPC, the listener's protocol and
 * one load balancer per group, and its `usedBy` rewritten; groups it no longer forwards to are let go.
 */
export async function stageForwards(
  tx: Tx, scope: Scope, lb: LoadBalancerRecord, listenerProtocol: Protocol, userArn: string, before: readonly Action[], actions: readonly Action[],
): Promise<void> {
  const now = forwardedGroups(actions);
  for (const arn of now) {
    const parsed = parseLbArn(arn);
    const group = parsed?.kind === 'targetgroup' ? await tx.get<TargetGroupRecord>(keys.targetGroup(scope, parsed.id)) : undefined;
    if (!group || group.arn !== arn) throw LbErrors.targetGroupNotFound();
    if (group.vpcId !== lb.vpcId) throw LbErrors.validation(`The target group '${arn}' is in VPC '${group.vpcId}', not the load balancer's VPC '${lb.vpcId}'`);
    if (!compatible(listenerProtocol, group.protocol)) {
      throw LbErrors.incompatibleProtocols(`The target group protocol '${group.protocol}' is not compatible with the listener protocol '${listenerProtocol}'`);
    }
    if (group.usedBy.some((u) => u.loadBalancerArn !== lb.arn)) throw LbErrors.targetGroupAssociationLimit(arn);
    if (!group.usedBy.some((u) => u.arn === userArn)) tx.put(keys.targetGroup(scope, group.id), { ...group, usedBy: [...group.usedBy, { arn: userArn, loadBalancerArn: lb.arn }] });
  }
  for (const arn of forwardedGroups(before).filter((a) => !now.includes(a))) await stageRelease(tx, scope, userArn, arn);
}

/** Takes `userArn` off a target group's `usedBy` (the group may be gone: nothing then). */
export async function stageRelease(tx: Tx, scope: Scope, userArn: string, targetGroupArn: string): Promise<void> {
  const parsed = parseLbArn(targetGroupArn);
  if (parsed?.kind !== 'targetgroup') return;
  const group = await tx.get<TargetGroupRecord>(keys.targetGroup(scope, parsed.id));
  if (group) tx.put(keys.targetGroup(scope, group.id), { ...group, usedBy: group.usedBy.filter((u) => u.arn !== userArn) });
}

/**
 * Targets: RegisterTargets, DeregisterTargets and DescribeTargetHealth. A registration is the
 * control plane's record; health is the data plane's (one record per target, written by the
 * health checker), and DescribeTargetHealth joins the two: a group no load balancer uses is
 * `unused` (Target.NotInUse), a registered target without health yet is `initial`
 * (Elb.RegistrationInProgress), a deregistered one `draining` until its group's deregistration
 * delay has passed.
 */
import { containsIp, parseCidr, parseIp, type Clock } from '../common/index.ts';
import { keys as networkKeys, type SubnetRecord } from '../network/index.ts';
import { transact, type Store, type Tx } from '../state/index.ts';
import { LIMITS } from './catalog.ts';
import { LbErrors } from './errors.ts';
import { keys, type Scope, type TargetGroupRecord, type TargetHealthReason, type TargetHealthRecord, type TargetHealthState, type TargetRegistrationRecord } from './records.ts';
import { findTargetGroup } from './target-groups.ts';

/** A target as a request names it. */
export interface TargetInput {
  id: string;
  port?: number;
  availabilityZone?: string;
}

/**
 * Which instance ids are instances of the account's (its container instances' EC2 instance ids):
 * a port, so the load balancing domain does not read ECS's records itself.
 */
export type InstanceDirectory = (scope: Scope, ids: string[]) => Promise<Set<string>>;

/** AWS's descriptions of each reason, as DescribeTargetHealth shows them. */
export const REASON_DESCRIPTIONS: Record<TargetHealthReason, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.NotRegistered': 'Target is not registered to the target group',
  'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.InvalidState': 'Target is in the stopped state',
  'Target.IpUnusable': 'The target IP address is reserved for use by a load balancer',
  'Target.HealthCheckDisabled': 'Health checks are disabled',
  'Elb.InternalError': 'Health checks failed due to an internal error',
};

/** Private ranges an IP target outside the VPC may be in (registered with zone `all`). */
const PRIVATE = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c)!);

/** A registration in force at `now` (a drained one past its delay is gone). */
const live = (r: TargetRegistrationRecord, now: number) => r.drainingUntil === undefined || r.drainingUntil > now;

async function checkTargets(tx: Tx, scope: Scope, group: TargetGroupRecord, targets: TargetInput[], instances: InstanceDirectory): Promise<TargetRegistrationRecord[]> {
  const out: TargetRegistrationRecord[] = [];
  if (group.targetType === 'instance') {
    const bad = targets.filter((t) => !/^i-[0-9a-f]{8,17}$/.test(t.id)).map((t) => t.id);
    const known = await instances(scope, targets.map((t) => t.id));
    const unknown = [...bad, ...targets.filter((t) => !bad.includes(t.id) && !known.has(t.id)).map((t) => t.id)];
    if (unknown.length) throw LbErrors.invalidTarget(`The following targets are not valid instances: ${unknown.map((id) => `'${id}'`).join(', ')}`);
    if (targets.some((t) => t.availabilityZone !== undefined)) throw LbErrors.validation('An Availability Zone cannot be specified for instance targets');
  }
  const subnets = group.targetType === 'ip' ? (await tx.list<SubnetRecord>(networkKeys.subnets(scope))).filter((s) => s.vpcId === group.vpcId) : [];
  for (const t of targets) {
    const port = t.port ?? group.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw LbErrors.validation(`Target port '${port}' must be between 1 and 65535`);
    let availabilityZone: string | undefined;
    if (group.targetType === 'ip') {
      const n = parseIp(t.id);
      if (n === undefined) throw LbErrors.invalidTarget(`The IP address '${t.id}' is not a valid IPv4 address`);
      const subnet = subnets.find((s) => containsIp(parseCidr(s.cidrBlock)!, n));
      if (subnet) availabilityZone = t.availabilityZone === 'all' ? 'all' : subnet.availabilityZone;
      else if (PRIVATE.some((c) => containsIp(c, n))) {
        if (t.availabilityZone !== 'all') throw LbErrors.validation(`The IP address '${t.id}' is outside the VPC: its Availability Zone must be 'all'`);
        availabilityZone = 'all';
      } else throw LbErrors.invalidTarget(`The IP address '${t.id}' is not within the VPC's subnets or a private range (10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16)`);
    }
    out.push({ targetGroupArn: group.arn, id: t.id, port, ...(availabilityZone !== undefined ? { availabilityZone } : {}), registeredAt: 0 });
  }
  return out;
}

/** RegisterTargets: each target at its port (the group's when absent); registering again is harmless, and ends draining. */
export async function registerTargets(store: Store, clock: Clock, scope: Scope, arn: string, targets: TargetInput[], instances: InstanceDirectory): Promise<void> {
  const now = clock.now();
  await transact(store, (tx) => stageRegisterTargets(tx, now, scope, arn, targets, instances));
}

/**
 * RegisterTargets staged in a caller's transaction, so a registration commits with what caused
 * it (ECS registering a service's task with the task's own records).
 */
export async function stageRegisterTargets(tx: Tx, now: number, scope: Scope, arn: string, targets: TargetInput[], instances: InstanceDirectory): Promise<void> {
  const group = await findTargetGroup(tx, scope, arn);
  const wanted = await checkTargets(tx, scope, group, targets, instances);
  const current = await tx.list<TargetRegistrationRecord>(keys.targets(scope, group.id));
  for (const r of current.filter((r) => !live(r, now))) tx.delete(keys.target(scope, group.id, r.id, r.port));
  const kept = current.filter((r) => live(r, now) && r.drainingUntil === undefined);
  const added = wanted.filter((w) => !kept.some((r) => r.id === w.id && r.port === w.port));
  if (kept.length + added.length > LIMITS['targets-per-target-group']) throw LbErrors.tooManyTargets();
  for (const w of added) {
    tx.put(keys.target(scope, group.id, w.id, w.port), { ...w, registeredAt: now });
    // A new registration starts unchecked: what was found of an earlier one at this address and port is not its health.
    tx.delete(keys.targetHealth(scope, group.id, w.id, w.port));
  }
}

/** DeregisterTargets: each target drains for the group's deregistration delay (at once when unused or zero), then is gone. */
export async function deregisterTargets(store: Store, clock: Clock, scope: Scope, arn: string, targets: TargetInput[]): Promise<void> {
  const now = clock.now();
  await transact(store, (tx) => stageDeregisterTargets(tx, now, scope, arn, targets));
}

/**
 * DeregisterTargets staged in a caller's transaction; resolves to when the targets have drained
 * (`now` when they went at once). `ignoreMissing`: a target no longer registered is skipped
 * rather than refused (ECS deregistering a task whose target someone else removed).
 */
export async function stageDeregisterTargets(
  tx: Tx, now: number, scope: Scope, arn: string, targets: TargetInput[], o: { ignoreMissing?: boolean } = {},
): Promise<number> {
  const group = await findTargetGroup(tx, scope, arn);
  const delay = Number(group.attributes['deregistration_delay.timeout_seconds'] ?? '300') * 1000;
  let drainedAt = now;
  for (const t of targets) {
    const port = t.port ?? group.port;
    const key = keys.target(scope, group.id, t.id, port);
    const r = await tx.get<TargetRegistrationRecord>(key);
    if (!r || !live(r, now)) {
      if (o.ignoreMissing) continue;
      throw LbErrors.invalidTarget(`The following targets are not registered in target group '${arn}': '${t.id}'`);
    }
    if (r.drainingUntil !== undefined) {
      drainedAt = Math.max(drainedAt, r.drainingUntil);
      continue;
    }
    if (group.usedBy.length === 0 || delay === 0) {
      tx.delete(key);
      tx.delete(keys.targetHealth(scope, group.id, t.id, port));
    } else {
      tx.put(key, { ...r, drainingUntil: now + delay });
      drainedAt = Math.max(drainedAt, now + delay);
    }
  }
  return drainedAt;
}

/** One row of DescribeTargetHealth. */
export interface TargetHealthView {
  id: string;
  port: number;
  availabilityZone?: string;
  state: TargetHealthState;
  reason?: TargetHealthReason;
  description?: string;
  /** The health check port the target is checked on. */
  healthCheckPort: string;
}

/** The join of a registration (or its absence) and the data plane's health record. */
export function healthOf(group: TargetGroupRecord, reg: TargetRegistrationRecord | undefined, health: TargetHealthRecord | undefined, now: number): Pick<TargetHealthView, 'state' | 'reason' | 'description'> {
  const with_ = (state: TargetHealthState, reason?: TargetHealthReason, description?: string) =>
    ({ state, ...(reason ? { reason, description: description ?? REASON_DESCRIPTIONS[reason] } : {}) });
  if (!reg || !live(reg, now)) return with_('unused', 'Target.NotRegistered');
  if (reg.drainingUntil !== undefined) return with_('draining', 'Target.DeregistrationInProgress');
  if (group.usedBy.length === 0) return with_('unused', 'Target.NotInUse');
  if (!group.healthCheck.enabled) return with_('unavailable', 'Target.HealthCheckDisabled');
  if (!health || health.checkedAt < reg.registeredAt) return with_('initial', 'Elb.RegistrationInProgress');
  if (health.state === 'healthy') return { state: 'healthy' };
  return with_(health.state, health.reason, health.description);
}

/** DescribeTargetHealth: the targets asked about (every registered one when none), joined with their health. */
export async function describeTargetHealth(store: Store, clock: Clock, scope: Scope, arn: string, targets: TargetInput[] | undefined): Promise<TargetHealthView[]> {
  const now = clock.now();
  return transact(store, async (tx) => {
    const group = await findTargetGroup(tx, scope, arn);
    const regs = await tx.list<TargetRegistrationRecord>(keys.targets(scope, group.id));
    const healths = await tx.list<TargetHealthRecord>(keys.targetHealths(scope, group.id));
    const asked = targets?.length
      ? targets.map((t) => ({ id: t.id, port: t.port ?? regs.find((r) => r.id === t.id && live(r, now))?.port ?? group.port }))
      : regs.filter((r) => live(r, now)).map((r) => ({ id: r.id, port: r.port }));
    return asked.map(({ id, port }) => {
      const reg = regs.find((r) => r.id === id && r.port === port);
      const health = healths.find((h) => h.id === id && h.port === port);
      return {
        id, port, ...(reg?.availabilityZone !== undefined ? { availabilityZone: reg.availabilityZone } : {}),
        ...healthOf(group, reg, health, now),
        healthCheckPort: group.healthCheck.port === 'traffic-port' ? String(port) : group.healthCheck.port,
      };
    });
  });
}

/** Writes what the health checker found of a target (the data plane's one write); nothing when it is no longer registered. */
export async function putTargetHealth(store: Store, scope: Scope, targetGroupId: string, health: TargetHealthRecord): Promise<boolean> {
  return transact(store, async (tx) => {
    const reg = await tx.get<TargetRegistrationRecord>(keys.target(scope, targetGroupId, health.id, health.port));
    if (!reg) return false;
    tx.put(keys.targetHealth(scope, targetGroupId, health.id, health.port), health);
    return true;
  });
}

/**
 * Auto Scaling groups: CreateAutoScalingGroup, UpdateAutoScalingGroup, DeleteAutoScalingGroup,
 * SetDesiredCapacity and the describes. A request changes the group's record (its bounds, its
 * desired capacity and the cause of that change); the Auto Scaling controller launches and
 * terminates instances to match.
 */
import { defaultNetwork, ensureDefaultVpc, keys as networkKeys, type SubnetRecord } from '../network/index.ts';
import { getDoc, listDocs, transact, type Tx } from '../state/index.ts';
import { listActivities } from './activities.ts';
import type { AutoScalingEnv } from './env.ts';
import { AutoScalingErrors } from './errors.ts';
import type { LaunchTemplateRef } from './ports.ts';
import {
  autoscalingKeys, groupArn, type AsgTag, type GroupRecord, type LaunchTemplateSpec, type Placement, type Scope,
} from './records.ts';

/** Groups an account may have in a region (AWS's default quota). */
export const MAX_GROUPS = 500;
/** Tags a group may carry. */
export const MAX_TAGS = 50;

/** The members of CreateAutoScalingGroup Wharf reads (the adapter maps the SDK's shape to it). */
export interface CreateGroupRequest {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity?: number;
  launchTemplate?: LaunchTemplateRef;
  /** Launch configurations, instance ids and mixed instances policies: named here only to be refused. */
  otherLaunchSource?: 'LaunchConfigurationName' | 'InstanceId' | 'MixedInstancesPolicy';
  vpcZoneIdentifier?: string;
  availabilityZones?: string[];
  defaultCooldown?: number;
  healthCheckType?: string;
  healthCheckGracePeriod?: number;
  newInstancesProtectedFromScaleIn?: boolean;
  terminationPolicies?: string[];
  capacityRebalance?: boolean;
  defaultInstanceWarmup?: number;
  maxInstanceLifetime?: number;
  serviceLinkedRoleArn?: string;
  loadBalancerNames?: string[];
  targetGroupArns?: string[];
  context?: string;
  tags?: { resourceId?: string; resourceType?: string; key: string; value?: string; propagateAtLaunch?: boolean }[];
}

/** The members of UpdateAutoScalingGroup Wharf reads: every one optional. */
export type UpdateGroupRequest = Partial<Omit<CreateGroupRequest, 'name' | 'tags' | 'loadBalancerNames' | 'targetGroupArns'>> & { name: string };

/** The group of this name, or AWS's not-found ValidationError. */
export async function getGroup(env: Pick<AutoScalingEnv, 'store'>, scope: Scope, name: string): Promise<GroupRecord> {
  const g = (await getDoc<GroupRecord>(env.store, autoscalingKeys.group(scope, name)))?.value;
  if (!g) throw AutoScalingErrors.groupNotFound(name);
  return g;
}

/** Reads a group in a transaction, refusing one that is missing or being deleted. */
async function groupIn(tx: Tx, scope: Scope, name: string): Promise<GroupRecord> {
  const g = await tx.get<GroupRecord>(autoscalingKeys.group(scope, name));
  if (!g) throw AutoScalingErrors.groupNotFound(name);
  if (g.status === 'Delete in progress') throw AutoScalingErrors.pendingDelete(name);
  return g;
}

/** The launch template a request names, resolved through the instances port. */
async function resolveTemplate(env: AutoScalingEnv, scope: Scope, ref: LaunchTemplateRef): Promise<LaunchTemplateSpec> {
  if (ref.launchTemplateId === undefined && ref.launchTemplateName === undefined) {
    throw AutoScalingErrors.validation('Valid requests must contain either launchTemplateId or LaunchTemplateName');
  }
  if (ref.launchTemplateId !== undefined && ref.launchTemplateName !== undefined) {
    throw AutoScalingErrors.validation('Valid requests must contain either launchTemplateId or LaunchTemplateName, not both');
  }
  const found = await env.instances.launchTemplate(scope, ref);
  if (!found) {
    const which = ref.launchTemplateId !== undefined ? `template ID ${ref.launchTemplateId}` : `template name ${ref.launchTemplateName}`;
    throw AutoScalingErrors.validation(`You must use a valid fully-formed launch template. The specified launch template, with ${which}, does not exist.`);
  }
  return found;
}

/** Where a group launches: the subnets of VPCZoneIdentifier, or the default subnet of each zone given. */
async function placementsOf(env: AutoScalingEnv, scope: Scope, vpcZoneIdentifier: string | undefined, zones: readonly string[] | undefined): Promise<{ subnets: string[]; placements: Placement[] }> {
  const subnets = (vpcZoneIdentifier ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (subnets.length > 0) {
    const placements: Placement[] = [];
    for (const id of [...new Set(subnets)]) {
      const subnet = (await getDoc<SubnetRecord>(env.store, networkKeys.subnet(scope, id)))?.value;
      if (!subnet) throw AutoScalingErrors.validation(`The subnet ID '${id}' does not exist`);
      placements.push({ availabilityZone: subnet.availabilityZone, subnetId: id });
    }
    return { subnets: [...new Set(subnets)], placements };
  }
  if (!zones?.length) throw AutoScalingErrors.validation('At least one Availability Zone or VPC Subnet is required.');
  await ensureDefaultVpc(env.store, scope, env.clock.now());
  const defaults = defaultNetwork(scope, env.clock.now()).subnets;
  return {
    subnets: [],
    placements: [...new Set(zones)].map((zone) => {
      const subnet = defaults.find((s) => s.availabilityZone === zone);
      if (!subnet) throw AutoScalingErrors.validation(`Invalid Availability Zone: ${zone}`);
      return { availabilityZone: zone, subnetId: subnet.subnetId };
    }),
  };
}

function checkBounds(min: number, max: number, desired: number): void {
  if (min > max) throw AutoScalingErrors.validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) throw AutoScalingErrors.validation(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

/** A request's tags as the group keeps them; a tag naming another resource is refused. */
function tagsOf(name: string, tags: CreateGroupRequest['tags']): AsgTag[] {
  const byKey = new Map<string, AsgTag>();
  for (const t of tags ?? []) {
    if (t.resourceId !== undefined && t.resourceId !== name) throw AutoScalingErrors.validation(`Tag ResourceId ${t.resourceId} does not match the AutoScalingGroup name ${name}.`);
    if (t.resourceType !== undefined && t.resourceType !== 'auto-scaling-group') throw AutoScalingErrors.validation(`Invalid resource type: ${t.resourceType}`);
    byKey.set(t.key, { key: t.key, value: t.value ?? '', propagateAtLaunch: t.propagateAtLaunch ?? false });
  }
  if (byKey.size > MAX_TAGS) throw AutoScalingErrors.limitExceeded(`The number of tags exceeds the limit of ${MAX_TAGS}.`);
  return [...byKey.values()];
}

function refuseOtherSources(req: Pick<CreateGroupRequest, 'otherLaunchSource'>): void {
  if (req.otherLaunchSource) throw AutoScalingErrors.validation(`${req.otherLaunchSource}: Wharf launches Auto Scaling groups' instances from launch templates only; use LaunchTemplate.`);
}

/** CreateAutoScalingGroup. */
export async function createGroup(env: AutoScalingEnv, scope: Scope, req: CreateGroupRequest): Promise<GroupRecord> {
  refuseOtherSources(req);
  if (!req.launchTemplate) throw AutoScalingErrors.validation('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
  const desired = req.desiredCapacity ?? req.minSize;
  checkBounds(req.minSize, req.maxSize, desired);
  const tags = tagsOf(req.name, req.tags);
  const launchTemplate = await resolveTemplate(env, scope, req.launchTemplate);
  const { subnets, placements } = await placementsOf(env, scope, req.vpcZoneIdentifier, req.availabilityZones);
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const key = autoscalingKeys.group(scope, req.name);
    if (await tx.get(key)) throw AutoScalingErrors.groupExists(req.name);
    if ((await listDocs(env.store, autoscalingKeys.groups(scope))).length >= MAX_GROUPS) {
      throw AutoScalingErrors.limitExceeded(`You have reached your limit of ${MAX_GROUPS} Auto Scaling groups.`);
    }
    const group: GroupRecord = {
      name: req.name, arn: groupArn(scope, env.ids.uuid(), req.name), createdAt: now,
      minSize: req.minSize, maxSize: req.maxSize, desiredCapacity: desired, launchTemplate, subnets, placements,
      availabilityZones: [...new Set(placements.map((p) => p.availabilityZone))],
      defaultCooldown: req.defaultCooldown ?? 300, healthCheckType: req.healthCheckType ?? 'EC2', healthCheckGracePeriod: req.healthCheckGracePeriod ?? 0,
      newInstancesProtectedFromScaleIn: req.newInstancesProtectedFromScaleIn ?? false, terminationPolicies: req.terminationPolicies?.length ? req.terminationPolicies : ['Default'],
      capacityRebalance: req.capacityRebalance ?? false,
      ...(req.defaultInstanceWarmup !== undefined ? { defaultInstanceWarmup: req.defaultInstanceWarmup } : {}),
      ...(req.maxInstanceLifetime !== undefined ? { maxInstanceLifetime: req.maxInstanceLifetime } : {}),
      serviceLinkedRoleArn: req.serviceLinkedRoleArn ?? `arn:aws:iam::${scope.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      loadBalancerNames: req.loadBalancerNames ?? [], targetGroupArns: req.targetGroupArns ?? [],
      ...(req.context !== undefined ? { context: req.context } : {}),
      tags, instances: [], launching: [],
      ...(desired > 0 ? { lastChange: { at: now, text: `a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}` } } : {}),
    };
    tx.put(key, group);
    return group;
  });
}

/** UpdateAutoScalingGroup: a new minimum above the desired capacity raises it, a new maximum below lowers it, as AWS does. */
export async function updateGroup(env: AutoScalingEnv, scope: Scope, req: UpdateGroupRequest): Promise<GroupRecord> {
  refuseOtherSources(req);
  const launchTemplate = req.launchTemplate ? await resolveTemplate(env, scope, req.launchTemplate) : undefined;
  const where = req.vpcZoneIdentifier !== undefined || req.availabilityZones !== undefined
    ? await placementsOf(env, scope, req.vpcZoneIdentifier, req.availabilityZones) : undefined;
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const g = await groupIn(tx, scope, req.name);
    const min = req.minSize ?? g.minSize;
    const max = req.maxSize ?? g.maxSize;
    let desired = req.desiredCapacity ?? g.desiredCapacity;
    if (req.desiredCapacity === undefined) desired = Math.min(Math.max(desired, min), max);
    checkBounds(min, max, desired);
    const next: GroupRecord = {
      ...g, minSize: min, maxSize: max, desiredCapacity: desired,
      ...(launchTemplate ? { launchTemplate } : {}),
      ...(where ? { subnets: where.subnets, placements: where.placements, availabilityZones: [...new Set(where.placements.map((p) => p.availabilityZone))] } : {}),
      ...(req.defaultCooldown !== undefined ? { defaultCooldown: req.defaultCooldown } : {}),
      ...(req.healthCheckType !== undefined ? { healthCheckType: req.healthCheckType } : {}),
      ...(req.healthCheckGracePeriod !== undefined ? { healthCheckGracePeriod: req.healthCheckGracePeriod } : {}),
      ...(req.newInstancesProtectedFromScaleIn !== undefined ? { newInstancesProtectedFromScaleIn: req.newInstancesProtectedFromScaleIn } : {}),
      ...(req.terminationPolicies?.length ? { terminationPolicies: req.terminationPolicies } : {}),
      ...(req.capacityRebalance !== undefined ? { capacityRebalance: req.capacityRebalance } : {}),
      ...(req.defaultInstanceWarmup !== undefined ? { defaultInstanceWarmup: req.defaultInstanceWarmup } : {}),
      ...(req.maxInstanceLifetime !== undefined ? { maxInstanceLifetime: req.maxInstanceLifetime } : {}),
      ...(req.serviceLinkedRoleArn !== undefined ? { serviceLinkedRoleArn: req.serviceLinkedRoleArn } : {}),
      ...(req.context !== undefined ? { context: req.context } : {}),
      ...(desired !== g.desiredCapacity ? {
        lastChange: { at: now, text: `a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${g.desiredCapacity} to ${desired}` },
        lastScaledAt: now,
      } : {}),
    };
    tx.put(autoscalingKeys.group(scope, req.name), next);
    return next;
  });
}

/**
 * SetDesiredCapacity; with `honorCooldown`, refused while one of the group's activities is in
 * progress or ended less than the group's DefaultCooldown ago (without it, at once, as AWS does).
 */
export async function setDesiredCapacity(env: AutoScalingEnv, scope: Scope, name: string, desired: number, honorCooldown = false): Promise<void> {
  const now = env.clock.now();
  const blocking = honorCooldown ? await blockingActivity(env, scope, name, now) : undefined;
  await transact(env.store, async (tx) => {
    const g = await groupIn(tx, scope, name);
    if (desired > g.maxSize) throw AutoScalingErrors.validation(`New SetDesiredCapacity value ${desired} is above max value ${g.maxSize} for the AutoScalingGroup.`);
    if (desired < g.minSize) throw AutoScalingErrors.validation(`New SetDesiredCapacity value ${desired} is below min value ${g.minSize} for the AutoScalingGroup.`);
    if (blocking) throw AutoScalingErrors.blockedBy(blocking);
    if (desired === g.desiredCapacity) return;
    tx.put(autoscalingKeys.group(scope, name), {
      ...g, desiredCapacity: desired, lastScaledAt: now,
      lastChange: { at: now, text: `a user request explicitly set group desired capacity changing the desired capacity from ${g.desiredCapacity} to ${desired}` },
    } satisfies GroupRecord);
  });
}

/** The activity that holds a cooldown-honouring change: one in progress, or the last one ended within the cooldown. */
async function blockingActivity(env: Pick<AutoScalingEnv, 'store'>, scope: Scope, name: string, now: number): Promise<string | undefined> {
  const g = (await getDoc<GroupRecord>(env.store, autoscalingKeys.group(scope, name)))?.value;
  if (!g) return undefined;
  const activities = await listActivities(env.store, scope, name);
  const running = activities.find((a) => a.endTime === undefined);
  if (running) return running.id;
  const last = activities.find((a) => a.endTime !== undefined && now < a.endTime + g.defaultCooldown * 1000);
  return last?.id;
}

/**
 * DeleteAutoScalingGroup. Without ForceDelete a group with instances is refused (ResourceInUse;
 * ScalingActivityInProgress while any is launching or terminating); with it, the group is marked
 * `Delete in progress` and the controller terminates its instances, then deletes it. A group with
 * no instances goes at once, with its activities.
 */
export async function deleteGroup(env: AutoScalingEnv, scope: Scope, name: string, forceDelete = false): Promise<void> {
  const old = await listDocs(env.store, autoscalingKeys.activities(scope, name));
  await transact(env.store, async (tx) => {
    const key = autoscalingKeys.group(scope, name);
    const g = await tx.get<GroupRecord>(key);
    if (!g) throw AutoScalingErrors.groupNotFound(name);
    const busy = g.launching.length > 0 || g.instances.some((i) => i.lifecycleState !== 'InService');
    if (g.instances.length === 0 && g.launching.length === 0) {
      tx.delete(key);
      for (const d of old) tx.delete(d.key);
      return;
    }
    if (!forceDelete) throw busy ? AutoScalingErrors.activityInProgress() : AutoScalingErrors.inUse();
    tx.put(key, { ...g, status: 'Delete in progress', minSize: 0, maxSize: 0, desiredCapacity: 0 } satisfies GroupRecord);
  });
}

/** The groups of the scope (those named, when names are given), by name. */
export async function describeGroups(env: Pick<AutoScalingEnv, 'store'>, scope: Scope, names?: readonly string[]): Promise<GroupRecord[]> {
  const all = (await listDocs<GroupRecord>(env.store, autoscalingKeys.groups(scope))).map((d) => d.value);
  return all.filter((g) => !names?.length || names.includes(g.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** DescribeScalingActivities' records. */
export const describeActivities = (env: Pick<AutoScalingEnv, 'store'>, scope: Scope, groupName?: string) => listActivities(env.store, scope, groupName);

/** An instance of some group of the scope, with its group. */
export async function findInstance(env: Pick<AutoScalingEnv, 'store'>, scope: Scope, instanceId: string): Promise<{ group: GroupRecord; index: number } | undefined> {
  for (const group of await describeGroups(env, scope)) {
    const index = group.instances.findIndex((i) => i.instanceId === instanceId);
    if (index >= 0) return { group, index };
  }
  return undefined;
}

/**
 * Scalable targets: RegisterScalableTarget (create, or update the bounds, suspended state and
 * role of one already there; the service's desiredCount is clamped into new bounds at once, as
 * AWS does), DescribeScalableTargets, DeregisterScalableTarget (its policies, their alarms and
 * its scheduled actions go with it), and the target's tags by ARN.
 */
import { deleteAlarms } from '../metrics/index.ts';
import { getDoc, listDocs, transact } from '../state/index.ts';
import { scaleTo } from './activities.ts';
import { clamp } from './decide.ts';
import type { ScalingEnv } from './env.ts';
import { ScalingErrors } from './errors.ts';
import {
  parseResourceId, scalingArns, scalingKeys, type PolicyRecord, type ScalableTargetRecord, type ScalingTag, type Scope, type SuspendedState,
} from './records.ts';

/** Tags a target may carry. */
export const MAX_TAGS = 50;

/** What RegisterScalableTarget asks. */
export interface RegisterRequest {
  resourceId: string;
  minCapacity?: number;
  maxCapacity?: number;
  roleArn?: string;
  suspended?: Partial<SuspendedState>;
  tags?: ScalingTag[];
}

/** The service a resource id names, refused when malformed. */
export function serviceOf(resourceId: string) {
  const parsed = parseResourceId(resourceId);
  if (!parsed) throw ScalingErrors.validation(`ResourceId: ${resourceId} is not a valid ECS service resource ID: expected service/<cluster-name>/<service-name>.`);
  return parsed;
}

/** The registered target, or ObjectNotFoundException. */
export async function getTarget(env: Pick<ScalingEnv, 'store'>, scope: Scope, resourceId: string): Promise<ScalableTargetRecord> {
  const t = (await getDoc<ScalableTargetRecord>(env.store, scalingKeys.target(scope, resourceId)))?.value;
  if (!t) throw ScalingErrors.targetNotFound(resourceId);
  return t;
}

/** RegisterScalableTarget. */
export async function registerTarget(env: ScalingEnv, scope: Scope, req: RegisterRequest): Promise<ScalableTargetRecord> {
  const { clusterName, serviceName } = serviceOf(req.resourceId);
  if ((await env.services.desiredCount(scope, clusterName, serviceName)) === undefined) throw ScalingErrors.serviceNotFound(req.resourceId);
  if ((req.tags?.length ?? 0) > MAX_TAGS) throw ScalingErrors.tooManyTags();
  const now = env.clock.now();
  const record = await transact(env.store, async (tx) => {
    const key = scalingKeys.target(scope, req.resourceId);
    const existing = await tx.get<ScalableTargetRecord>(key);
    if (!existing && (req.minCapacity === undefined || req.maxCapacity === undefined)) {
      throw ScalingErrors.validation(`${req.minCapacity === undefined ? 'MinCapacity' : 'MaxCapacity'}: MinCapacity and MaxCapacity are required to register a new scalable target.`);
    }
    const min = req.minCapacity ?? existing!.minCapacity;
    const max = req.maxCapacity ?? existing!.maxCapacity;
    if (min > max) throw ScalingErrors.validation(`MinCapacity: Minimum capacity (${min}) cannot be greater than maximum capacity (${max}).`);
    const suspended = { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false, ...existing?.suspended, ...req.suspended };
    const next: ScalableTargetRecord = existing
      ? { ...existing, minCapacity: min, maxCapacity: max, suspended, ...(req.roleArn !== undefined ? { roleArn: req.roleArn } : {}) }
      : {
        arn: scalingArns.target(scope, env.ids.hex32()), resourceId: req.resourceId, clusterName, serviceName, minCapacity: min, maxCapacity: max,
        roleArn: req.roleArn ?? `arn:aws:iam::${scope.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
        suspended, createdAt: now, tags: req.tags ?? [],
      };
    tx.put(key, next);
    return next;
  });
  await clampInto(env, scope, record, '');
  return record;
}

/** Brings the service's desiredCount into [min, max] at once, recording the activity (`why` ends its cause). */
export async function clampInto(env: ScalingEnv, scope: Scope, target: ScalableTargetRecord, why: string): Promise<void> {
  const current = await env.services.desiredCount(scope, target.clusterName, target.serviceName);
  if (current === undefined) return;
  const bounded = clamp(current, target.minCapacity, target.maxCapacity);
  if (bounded === current) return;
  const edge = bounded > current ? `minimum capacity was set to ${target.minCapacity}` : `maximum capacity was set to ${target.maxCapacity}`;
  await scaleTo(env, scope, target, bounded, `${edge}${why ? ` ${why}` : ''}`);
}

/** DescribeScalableTargets: of the given resource ids, or all, by resource id. */
export async function describeTargets(env: Pick<ScalingEnv, 'store'>, scope: Scope, resourceIds?: readonly string[]): Promise<ScalableTargetRecord[]> {
  const all = (await listDocs<ScalableTargetRecord>(env.store, scalingKeys.targets(scope))).map((d) => d.value);
  return all.filter((t) => !resourceIds?.length || resourceIds.includes(t.resourceId)).sort((a, b) => (a.resourceId < b.resourceId ? -1 : 1));
}

/** DeregisterScalableTarget: with its policies, their alarms and its scheduled actions. */
export async function deregisterTarget(env: ScalingEnv, scope: Scope, resourceId: string): Promise<void> {
  serviceOf(resourceId);
  await getTarget(env, scope, resourceId);
  const policies = await listDocs<PolicyRecord>(env.store, scalingKeys.policies(scope, resourceId));
  const actions = await listDocs(env.store, scalingKeys.actions(scope, resourceId));
  const alarms = policies.flatMap((p) => p.value.alarms.map((a) => a.name));
  if (alarms.length) await deleteAlarms(env, scope, alarms);
  await transact(env.store, async (tx) => {
    tx.delete(scalingKeys.target(scope, resourceId));
    for (const d of [...policies, ...actions]) tx.delete(d.key);
  });
}

async function targetByArn(env: Pick<ScalingEnv, 'store'>, scope: Scope, arn: string): Promise<{ key: string; record: ScalableTargetRecord }> {
  if (!/^arn:aws[-a-z]*:application-autoscaling:[^:]+:\d{12}:scalable-target\/[0-9a-z]+$/.test(arn)) {
    throw ScalingErrors.validation(`ResourceARN: ${arn} is not a valid scalable target ARN.`);
  }
  const found = (await listDocs<ScalableTargetRecord>(env.store, scalingKeys.targets(scope))).find((d) => d.value.arn === arn);
  if (!found) throw ScalingErrors.resourceNotFound(arn);
  return { key: found.key, record: found.value };
}

/** TagResource: a key already there takes the new value. */
export async function tagTarget(env: Pick<ScalingEnv, 'store'>, scope: Scope, arn: string, tags: readonly ScalingTag[]): Promise<void> {
  const { key } = await targetByArn(env, scope, arn);
  await transact(env.store, async (tx) => {
    const t = await tx.get<ScalableTargetRecord>(key);
    if (!t) throw ScalingErrors.resourceNotFound(arn);
    const byKey = new Map(t.tags.map((x) => [x.key, x]));
    for (const x of tags) byKey.set(x.key, x);
    if (byKey.size > MAX_TAGS) throw ScalingErrors.tooManyTags();
    tx.put(key, { ...t, tags: [...byKey.values()] });
  });
}

/** UntagResource: keys not there are ignored. */
export async function untagTarget(env: Pick<ScalingEnv, 'store'>, scope: Scope, arn: string, keys: readonly string[]): Promise<void> {
  const { key } = await targetByArn(env, scope, arn);
  await transact(env.store, async (tx) => {
    const t = await tx.get<ScalableTargetRecord>(key);
    if (!t) throw ScalingErrors.resourceNotFound(arn);
    tx.put(key, { ...t, tags: t.tags.filter((x) => !keys.includes(x.key)) });
  });
}

/** ListTagsForResource. */
export async function targetTags(env: Pick<ScalingEnv, 'store'>, scope: Scope, arn: string): Promise<ScalingTag[]> {
  return (await targetByArn(env, scope, arn)).record.tags;
}

/**
 * Capacity providers backed by EC2 Auto Scaling groups (CreateCapacityProvider and its kin):
 * their records, ECS's defaults and rules for their settings, and the staging of their writes.
 * The Auto Scaling groups live in the autoscaling part; ECS reaches them through the
 * `AutoScalingGroupsPort` the control plane gives it, reading through its own transaction.
 */
import type { AutoScalingGroupProvider, AutoScalingGroupProviderUpdate, CapacityProvider, ManagedScaling, Tag } from '@aws-sdk/client-ecs';
import { formatArn } from '../aws/index.ts';
import type { Tx } from '../state/index.ts';
import { EcsErrors } from './errors.ts';
import type { Scope } from './records.ts';

/** An Auto Scaling group as ECS needs to know it. */
export interface AutoScalingGroupView {
  arn: string;
  name: string;
  /** NewInstancesProtectedFromScaleIn: managed termination protection needs it. */
  newInstancesProtectedFromScaleIn: boolean;
}

/** How ECS reads Auto Scaling groups (the control plane implements it over the autoscaling part). */
export interface AutoScalingGroupsPort {
  /** The group `arnOrName` names in `scope`, read through `tx`; undefined when there is none. */
  group(tx: Tx, scope: Scope, arnOrName: string): Promise<AutoScalingGroupView | undefined>;
  /** The ARN of the group EC2 instance `ec2InstanceId` belongs to in `scope`, if any. */
  groupOfInstance(tx: Tx, scope: Scope, ec2InstanceId: string): Promise<string | undefined>;
}

/** Managed scaling as stored: every member filled in with ECS's defaults. */
export type ManagedScalingRecord = Required<Pick<ManagedScaling, 'status' | 'targetCapacity' | 'minimumScalingStepSize' | 'maximumScalingStepSize' | 'instanceWarmupPeriod'>>;

/** A capacity provider of an Auto Scaling group, as stored. */
export interface AsgProviderRecord {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  updateStatus?: 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED';
  updateStatusReason?: string;
  autoScalingGroupArn: string;
  autoScalingGroupName: string;
  managedScaling: ManagedScalingRecord;
  managedTerminationProtection: 'ENABLED' | 'DISABLED';
  managedDraining: 'ENABLED' | 'DISABLED';
  tags: Tag[];
  /** The cluster it is associated with (an Auto Scaling group provider serves one cluster at most). */
  cluster?: string;
  createdAt: number;
}

/** Where Auto Scaling group providers are kept. */
export const providerKeys = {
  all: 'ecs/capacity-providers/',
  providers: (s: Scope) => `ecs/capacity-providers/${s.account}/${s.region}/`,
  provider: (s: Scope, name: string) => `ecs/capacity-providers/${s.account}/${s.region}/${name}`,
};

/** A capacity provider's ARN. */
export const providerArn = (s: Scope, name: string): string => formatArn('ecs', s.region, s.account, `capacity-provider/${name}`);

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/** Refuses a capacity provider name ECS would not take: its characters, and the prefixes ECS keeps for itself. */
export function checkProviderName(name: string): void {
  if (!NAME.test(name)) {
    throw EcsErrors.invalidParameter('name: up to 255 letters (uppercase and lowercase), numbers, underscores and hyphens are allowed.');
  }
  if (/^(aws|ecs|fargate)/i.test(name)) {
    throw EcsErrors.invalidParameter(`The capacity provider name ${name} is invalid: it can't be prefixed with "aws", "ecs" or "fargate".`);
  }
}

/** Managed scaling with ECS's defaults (a provider made without it has managed scaling off), range-checked. */
export function readManagedScaling(m: ManagedScaling | undefined, before?: ManagedScalingRecord): ManagedScalingRecord {
  const out: ManagedScalingRecord = {
    status: (m?.status ?? before?.status ?? 'DISABLED') as 'ENABLED' | 'DISABLED',
    targetCapacity: m?.targetCapacity ?? before?.targetCapacity ?? 100,
    minimumScalingStepSize: m?.minimumScalingStepSize ?? before?.minimumScalingStepSize ?? 1,
    maximumScalingStepSize: m?.maximumScalingStepSize ?? before?.maximumScalingStepSize ?? 10_000,
    instanceWarmupPeriod: m?.instanceWarmupPeriod ?? before?.instanceWarmupPeriod ?? 300,
  };
  const range = (value: number, member: string, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw EcsErrors.invalidParameter(`managedScaling.${member} must be between ${min} and ${max}.`);
    }
  };
  range(out.targetCapacity, 'targetCapacity', 1, 100);
  range(out.minimumScalingStepSize, 'minimumScalingStepSize', 1, 10_000);
  range(out.maximumScalingStepSize, 'maximumScalingStepSize', 1, 10_000);
  range(out.instanceWarmupPeriod, 'instanceWarmupPeriod', 0, 10_000);
  if (out.minimumScalingStepSize > out.maximumScalingStepSize) {
    throw EcsErrors.invalidParameter('managedScaling.minimumScalingStepSize must be less than or equal to managedScaling.maximumScalingStepSize.');
  }
  return out;
}

/** Managed termination protection needs managed scaling, and a group that protects its new instances from scale-in. */
function checkTerminationProtection(p: Pick<AsgProviderRecord, 'managedTerminationProtection' | 'managedScaling'>, group: AutoScalingGroupView): void {
  if (p.managedTerminationProtection !== 'ENABLED') return;
  if (p.managedScaling.status !== 'ENABLED') {
    throw EcsErrors.client('The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, managed scaling must be enabled.');
  }
  if (!group.newInstancesProtectedFromScaleIn) {
    throw EcsErrors.client('The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, the Auto Scaling group must have instance protection from scale in enabled.');
  }
}

/** CreateCapacityProvider: a new ACTIVE provider of an Auto Scaling group no other provider uses. */
export async function stageCreateProvider(
  tx: Tx, port: AutoScalingGroupsPort | undefined, scope: Scope, name: string, input: AutoScalingGroupProvider, tags: Tag[], now: number,
): Promise<AsgProviderRecord> {
  checkProviderName(name);
  const ref = input.autoScalingGroupArn ?? '';
  if (ref === '') throw EcsErrors.invalidParameter('autoScalingGroupProvider.autoScalingGroupArn can not be null or empty.');
  const group = port && (await port.group(tx, scope, ref));
  if (!group) throw EcsErrors.client(`The specified Auto Scaling group ${ref} could not be found.`);
  const existing = await tx.get<AsgProviderRecord>(providerKeys.provider(scope, name));
  if (existing && existing.status === 'ACTIVE') {
    throw EcsErrors.client('The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.');
  }
  const others = await tx.list<AsgProviderRecord>(providerKeys.providers(scope));
  if (others.some((p) => p.status === 'ACTIVE' && p.autoScalingGroupArn === group.arn)) {
    throw EcsErrors.client('The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.');
  }
  const record: AsgProviderRecord = {
    name, arn: providerArn(scope, name), status: 'ACTIVE',
    autoScalingGroupArn: group.arn, autoScalingGroupName: group.name,
    managedScaling: readManagedScaling(input.managedScaling),
    managedTerminationProtection: (input.managedTerminationProtection ?? 'DISABLED') as 'ENABLED' | 'DISABLED',
    managedDraining: (input.managedDraining ?? 'ENABLED') as 'ENABLED' | 'DISABLED',
    tags, createdAt: now,
  };
  checkTerminationProtection(record, group);
  tx.put(providerKeys.provider(scope, name), record);
  return record;
}

/** UpdateCapacityProvider: new managed scaling, termination protection or draining settings. */
export async function stageUpdateProvider(
  tx: Tx, port: AutoScalingGroupsPort | undefined, scope: Scope, name: string, input: AutoScalingGroupProviderUpdate,
): Promise<AsgProviderRecord> {
  const before = await activeProvider(tx, scope, name);
  const record: AsgProviderRecord = {
    ...before,
    managedScaling: readManagedScaling(input.managedScaling, before.managedScaling),
    managedTerminationProtection: (input.managedTerminationProtection ?? before.managedTerminationProtection) as 'ENABLED' | 'DISABLED',
    managedDraining: (input.managedDraining ?? before.managedDraining) as 'ENABLED' | 'DISABLED',
    updateStatus: 'UPDATE_COMPLETE', updateStatusReason: undefined,
  };
  const group = port && (await port.group(tx, scope, before.autoScalingGroupArn));
  if (group) checkTerminationProtection(record, group);
  tx.put(providerKeys.provider(scope, name), record);
  return record;
}

/** DeleteCapacityProvider: refused while a cluster has it; else INACTIVE (DELETE_COMPLETE), kept to be described. */
export async function stageDeleteProvider(tx: Tx, scope: Scope, ref: string): Promise<AsgProviderRecord> {
  const before = await activeProvider(tx, scope, providerNameOf(ref, scope));
  if (before.cluster) {
    throw EcsErrors.resourceInUse(`The specified capacity provider is in use and cannot be removed: it is associated with cluster ${before.cluster}.`);
  }
  const record: AsgProviderRecord = { ...before, status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE' };
  tx.put(providerKeys.provider(scope, before.name), record);
  return record;
}

/** The ACTIVE provider `name`, or ECS's refusal. */
export async function activeProvider(tx: Tx, scope: Scope, name: string): Promise<AsgProviderRecord> {
  const record = await tx.get<AsgProviderRecord>(providerKeys.provider(scope, name));
  if (!record || record.status !== 'ACTIVE') throw EcsErrors.client(`The specified capacity provider ${name} does not exist.`);
  return record;
}

/** A provider's short name from a name or a capacity-provider ARN of `scope`. */
export function providerNameOf(ref: string, scope: Scope): string {
  const prefix = `${providerArn(scope, '')}`;
  return ref.startsWith(prefix) ? ref.slice(prefix.length) : ref;
}

/** A provider as the API shows it. */
export function toApiProvider(p: AsgProviderRecord, withTags: boolean): CapacityProvider {
  return {
    capacityProviderArn: p.arn, name: p.name, status: p.status,
    autoScalingGroupProvider: {
      autoScalingGroupArn: p.autoScalingGroupArn, managedScaling: { ...p.managedScaling },
      managedTerminationProtection: p.managedTerminationProtection, managedDraining: p.managedDraining,
    },
    ...(p.updateStatus ? { updateStatus: p.updateStatus } : {}),
    ...(p.updateStatusReason ? { updateStatusReason: p.updateStatusReason } : {}),
    ...(withTags ? { tags: p.tags } : {}),
    type: 'EC2_AUTOSCALING',
  };
}

/**
 * Associates cluster `clusterName` with exactly the Auto Scaling group providers among `names`
 * (Fargate's are every account's and need nothing): each must exist and serve no other cluster;
 * the ones it no longer names are free again.
 */
export async function stageClusterProviders(tx: Tx, scope: Scope, clusterName: string, names: readonly string[]): Promise<void> {
  const own = (await tx.list<AsgProviderRecord>(providerKeys.providers(scope))).filter((p) => p.status === 'ACTIVE');
  for (const [i, name] of names.entries()) {
    if (name === 'FARGATE' || name === 'FARGATE_SPOT') continue;
    const p = own.find((x) => x.name === name);
    if (!p) throw EcsErrors.invalidParameter(`capacityProviders[${i}]: the specified capacity provider ${name} does not exist.`);
    if (p.cluster && p.cluster !== clusterName) {
      throw EcsErrors.invalidParameter(`The specified capacity provider ${name} is already associated with cluster ${p.cluster}. A capacity provider that uses an Auto Scaling group can be associated with one cluster only.`);
    }
    if (p.cluster !== clusterName) tx.put(providerKeys.provider(scope, name), { ...p, cluster: clusterName });
  }
  for (const p of own) {
    if (p.cluster === clusterName && !names.includes(p.name)) {
      const { cluster: _, ...free } = p;
      tx.put(providerKeys.provider(scope, p.name), free);
    }
  }
}

/**
 * The capacity provider a container instance registering in `clusterName` belongs to: the
 * cluster's Auto Scaling group provider whose group launched its EC2 instance (ECS decides it
 * when the instance registers).
 */
export async function providerOfInstance(
  tx: Tx, port: AutoScalingGroupsPort | undefined, scope: Scope, clusterName: string, ec2InstanceId: string,
): Promise<string | undefined> {
  if (!port) return undefined;
  const providers = (await tx.list<AsgProviderRecord>(providerKeys.providers(scope))).filter((p) => p.status === 'ACTIVE' && p.cluster === clusterName);
  if (!providers.length) return undefined;
  const group = await port.groupOfInstance(tx, scope, ec2InstanceId);
  return group === undefined ? undefined : providers.find((p) => p.autoScalingGroupArn === group)?.name;
}

/**
 * RegisterContainerInstance as ECS's API has it: an EC2 instance, named by its instance
 * identity document, registered into a cluster with the resources, attributes, tags and
 * versions its agent says. Registered through the API, an instance is ACTIVE with no agent
 * linked (agentConnected false, so nothing is placed on it) until an agent registers over the
 * link saying that EC2 instance id: that agent takes the instance (`link/registration.ts`).
 * The same instance registered again (its containerInstanceArn given, or its EC2 instance id
 * already ACTIVE in the cluster) is updated, not duplicated.
 */
import type { Tx } from '../state/index.ts';
import type { EcsDeps } from './deps.ts';
import { providerOfInstance, type AutoScalingGroupsPort } from './asg-providers.ts';
import { EcsErrors } from './errors.ts';
import { arns, isAgentAttribute, keys, parseArn, type ClusterRecord, type ContainerInstanceRecord, type InstanceAttribute, type Resources, type Scope } from './records.ts';

/** The agent id of an instance registered through the API that no agent has taken yet. */
export const NO_AGENT = '';

/** Where an instance registered through the API is found by its EC2 instance id (its container instance id), for the agent that takes it. */
export const apiInstanceKey = (s: Scope, cluster: string, ec2InstanceId: string): string => `ecs/api-instances/${s.account}/${s.region}/${cluster}/${ec2InstanceId}`;

/**
 * The instance registered through the API as `ec2InstanceId` in the cluster that no agent has
 * taken yet, for an agent linking as that EC2 instance to take (undefined when there is none).
 */
export async function untakenApiInstance(tx: Tx, scope: Scope, cluster: string, ec2InstanceId: string): Promise<ContainerInstanceRecord | undefined> {
  const id = await tx.get<string>(apiInstanceKey(scope, cluster, ec2InstanceId));
  if (typeof id !== 'string') return undefined;
  const instance = await tx.get<ContainerInstanceRecord>(keys.instance(scope, cluster, id));
  return instance && instance.agentId === NO_AGENT && instance.ec2InstanceId === ec2InstanceId && instance.status !== 'INACTIVE' ? instance : undefined;
}

/** What the instance identity document says (the fields ECS reads). */
export interface InstanceIdentity {
  instanceId: string;
  accountId: string;
  region: string;
  availabilityZone?: string;
  instanceType?: string;
  imageId?: string;
}

/** The document's fields, or the reason it cannot be read (for an InvalidParameterException). */
export function parseIdentityDocument(text: string, scope: Scope): InstanceIdentity {
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    doc = parsed as Record<string, unknown>;
  } catch {
    throw EcsErrors.invalidParameter('instanceIdentityDocument is not a JSON instance identity document.');
  }
  const field = (name: string, pattern?: RegExp): string | undefined => {
    const v = doc[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || (pattern && !pattern.test(v))) throw EcsErrors.invalidParameter(`instanceIdentityDocument.${name} is not valid: ${JSON.stringify(v)}.`);
    return v;
  };
  const instanceId = field('instanceId', /^i-[0-9a-f]{8,32}$/);
  if (!instanceId) throw EcsErrors.invalidParameter('instanceIdentityDocument has no instanceId.');
  const accountId = field('accountId') ?? scope.account;
  const region = field('region') ?? scope.region;
  if (accountId !== scope.account) throw EcsErrors.invalidParameter(`instanceIdentityDocument names account ${accountId}; the instance registers in account ${scope.account}.`);
  if (region !== scope.region) throw EcsErrors.invalidParameter(`instanceIdentityDocument names region ${region}; the instance registers in region ${scope.region}.`);
  const availabilityZone = field('availabilityZone');
  const instanceType = field('instanceType');
  const imageId = field('imageId');
  return { instanceId, accountId, region, ...(availabilityZone && { availabilityZone }), ...(instanceType && { instanceType }), ...(imageId && { imageId }) };
}

/** A RegisterContainerInstance request, read. */
export interface ApiRegistration {
  identity: InstanceIdentity;
  resources: Resources;
  versionInfo: ContainerInstanceRecord['versionInfo'];
  attributes: InstanceAttribute[];
  tags: { key: string; value: string }[];
  /** The instance's ARN when it registered before. */
  containerInstanceArn?: string;
}

/** The attributes ECS takes from the identity document, unless the request gives them itself. */
function identityAttributes(identity: InstanceIdentity, given: InstanceAttribute[]): InstanceAttribute[] {
  const out: InstanceAttribute[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && !given.some((a) => a.name === name)) out.push({ name, value });
  };
  add('ecs.instance-type', identity.instanceType);
  add('ecs.availability-zone', identity.availabilityZone);
  add('ecs.ami-id', identity.imageId);
  return [...out, ...given];
}

/** The instance this registration is again, if any: the ARN it names, or an ACTIVE (or DRAINING) one of the same EC2 instance. */
async function previous(tx: Tx, scope: Scope, cluster: ClusterRecord, r: ApiRegistration): Promise<ContainerInstanceRecord | undefined> {
  if (r.containerInstanceArn !== undefined) {
    const arn = parseArn(r.containerInstanceArn);
    const id = arn?.resourceType === 'container-instance' && arn.account === scope.account && arn.region === scope.region
      ? (arn.resource.length === 2 && arn.resource[0] === cluster.name ? arn.resource[1] : arn.resource.length === 1 ? arn.resource[0] : undefined)
      : undefined;
    const found = id === undefined ? undefined : await tx.get<ContainerInstanceRecord>(keys.instance(scope, cluster.name, id));
    if (!found || found.status === 'INACTIVE') {
      throw EcsErrors.invalidParameter(`containerInstanceArn: the referenced container instance ${r.containerInstanceArn} was not found in cluster ${cluster.name}.`);
    }
    if (found.ec2InstanceId !== r.identity.instanceId) {
      throw EcsErrors.invalidParameter(`containerInstanceArn ${r.containerInstanceArn} is the container instance of ${found.ec2InstanceId}, not ${r.identity.instanceId}.`);
    }
    return found;
  }
  const all = await tx.list<ContainerInstanceRecord>(keys.instances(scope, cluster.name));
  return all.find((i) => i.ec2InstanceId === r.identity.instanceId && i.status !== 'INACTIVE');
}

/** Registers (or registers again) the instance in `cluster`, staged in `tx`. */
export async function stageApiRegistration(tx: Tx, deps: Pick<EcsDeps, 'ids' | 'clock' | 'changes' | 'autoScalingGroups'>, scope: Scope, cluster: ClusterRecord, r: ApiRegistration): Promise<ContainerInstanceRecord> {
  const now = deps.clock.now();
  const attributes = identityAttributes(r.identity, r.attributes);
  const existing = await previous(tx, scope, cluster, r);
  if (existing) {
    const custom = existing.attributes.filter((a) => !attributes.some((b) => b.name === a.name) && !isAgentAttribute(a.name));
    const used = { cpu: existing.registeredResources.cpu - existing.remainingResources.cpu, memory: existing.registeredResources.memory - existing.remainingResources.memory };
    const byKey = new Map(existing.tags.map((t) => [t.key, t]));
    for (const t of r.tags) byKey.set(t.key, t);
    const updated: ContainerInstanceRecord = {
      ...existing,
      attributes: [...attributes, ...custom],
      versionInfo: r.versionInfo,
      tags: [...byKey.values()],
      registeredResources: { ...r.resources, ...(existing.registeredResources.enis !== undefined && { enis: existing.registeredResources.enis }) },
      remainingResources: { ...existing.remainingResources, cpu: r.resources.cpu - used.cpu, memory: r.resources.memory - used.memory },
      version: existing.version + 1,
    };
    tx.put(keys.instance(scope, cluster.name, existing.id), updated);
    await deps.changes?.instanceChanged?.(tx, updated, now);
    return updated;
  }
  const id = deps.ids.hex32();
  const created: ContainerInstanceRecord = {
    ...(await newContainerInstance(tx, deps.autoScalingGroups, scope, cluster, {
      id, ec2InstanceId: r.identity.instanceId, resources: r.resources, attributes, tags: r.tags.map((t) => ({ ...t })), versionInfo: r.versionInfo, now,
    })),
    agentId: NO_AGENT,
    agentConnected: false,
    disconnectedAt: now,
  };
  tx.put(keys.instance(scope, cluster.name, id), created);
  tx.put(apiInstanceKey(scope, cluster.name, created.ec2InstanceId), id);
  await deps.changes?.instanceChanged?.(tx, created, now);
  return created;
}

/**
 * A newly registered container instance, ACTIVE with all it registered remaining, in the capacity
 * provider its EC2 instance's Auto Scaling group gives it: what an agent's registration and
 * RegisterContainerInstance both make (each then says how its agent stands).
 */
export async function newContainerInstance(
  tx: Tx, groups: AutoScalingGroupsPort | undefined, scope: Scope, cluster: Pick<ClusterRecord, 'name' | 'arn'>,
  r: { id: string; ec2InstanceId: string; resources: Resources; attributes: InstanceAttribute[]; tags: ContainerInstanceRecord['tags']; versionInfo: ContainerInstanceRecord['versionInfo']; now: number },
): Promise<Omit<ContainerInstanceRecord, 'agentId' | 'agentConnected'>> {
  const provider = await providerOfInstance(tx, groups, scope, cluster.name, r.ec2InstanceId);
  return {
    id: r.id, arn: arns.containerInstance(scope, cluster.name, r.id), clusterName: cluster.name, clusterArn: cluster.arn, ec2InstanceId: r.ec2InstanceId,
    ...(provider && { capacityProviderName: provider }),
    status: 'ACTIVE', autoAttached: false, registeredAt: r.now,
    registeredResources: r.resources, remainingResources: { ...r.resources, ports: [...r.resources.ports], portsUdp: [...r.resources.portsUdp] },
    attributes: r.attributes, tags: r.tags, versionInfo: r.versionInfo, version: 1,
  };
}

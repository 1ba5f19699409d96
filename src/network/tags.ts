/**
 * EC2 tags on the network's resources: the checks EC2 makes of a tag, the tags a create request
 * asks for (TagSpecifications), adding and removing tags on any resource by its id (CreateTags,
 * DeleteTags) and listing them (DescribeTags). A rule's tags live in its group's record.
 */
import { listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { Ec2Errors } from './errors.ts';
import { applyFilters, type Ec2Filter } from './filters.ts';
import {
  isEc2Id, keys, type Ec2Tag, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord, type SubnetRecord, type VpcRecord,
} from './records.ts';

/** The resource types that carry tags, as EC2 names them (TagSpecification.ResourceType, DescribeTags). */
export type TaggableType = 'vpc' | 'subnet' | 'security-group' | 'network-interface' | 'security-group-rule' | 'instance';

/** Resources another part keeps (instances), tagged by id in the same transaction and listed beside the network's. */
export interface TaggedElsewhere {
  /** Rewrites the tags of `id` in `tx`; false when `id` is none of that part's. */
  retag(tx: Tx, id: string, change: (tags: Ec2Tag[]) => Ec2Tag[]): Promise<boolean>;
  /** Every tag of that part's resources. */
  rows(): Promise<TagDescription[]>;
}

/** A tag request's tag: a value may be absent (DeleteTags: whatever the value). */
export interface TagInput {
  key: string;
  value?: string;
}

/** One row of DescribeTags. */
export interface TagDescription {
  resourceId: string;
  resourceType: TaggableType;
  key: string;
  value: string;
}

/** A resource may carry this many tags, as in EC2. */
export const MAX_TAGS = 50;

const BY_PREFIX: ReadonlyArray<[prefix: 'vpc' | 'subnet' | 'sgr' | 'sg' | 'eni', type: TaggableType]> = [
  ['vpc', 'vpc'], ['subnet', 'subnet'], ['sgr', 'security-group-rule'], ['sg', 'security-group'], ['eni', 'network-interface'],
];

/** The type of the resource an id names, or undefined when it names none Wharf serves. */
export function resourceTypeOf(id: string): TaggableType | undefined {
  return BY_PREFIX.find(([prefix]) => isEc2Id(prefix, id))?.[1];
}

/** Checks a tag as EC2 does: a key of 1 to 128 characters outside `aws:`, a value of at most 256. */
export function checkTag(tag: TagInput): void {
  if (tag.key.length < 1 || tag.key.length > 128) {
    throw Ec2Errors.invalidParameterValue(`Tag key exceeds the maximum length of 128 characters`);
  }
  if (tag.key.toLowerCase().startsWith('aws:')) throw Ec2Errors.invalidParameterValue(`Tag keys starting with 'aws:' are reserved for internal use`);
  if ((tag.value ?? '').length > 256) throw Ec2Errors.invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`);
}

/** `existing` with `added` set (a key already there takes the new value); at most MAX_TAGS. */
export function mergeTags(existing: readonly Ec2Tag[], added: readonly Ec2Tag[]): Ec2Tag[] {
  const byKey = new Map(existing.map((t) => [t.key, t.value]));
  for (const t of added) {
    checkTag(t);
    byKey.set(t.key, t.value);
  }
  if (byKey.size > MAX_TAGS) throw Ec2Errors.tagLimitExceeded();
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/**
 * `existing` without the tags `removals` name: a removal without a value removes its key
 * whatever the value; with a value (even an empty one) only when the value is that. No
 * removals at all removes every tag, as DeleteTags without Tags does.
 */
export function removeTags(existing: readonly Ec2Tag[], removals: readonly TagInput[] | undefined): Ec2Tag[] {
  if (!removals) return [];
  return existing.filter((t) => !removals.some((r) => r.key === t.key && (r.value === undefined || r.value === t.value)));
}

/** A create request's TagSpecifications as EC2 reads them. */
export interface TagSpecificationInput {
  resourceType?: string;
  tags: Ec2Tag[];
}

/**
 * The tags a create request asks for on the resource of `type` it makes: every specification
 * must be for that type.
 */
export function tagsFromSpecifications(specs: readonly TagSpecificationInput[] | undefined, type: TaggableType): Ec2Tag[] {
  let tags: Ec2Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.resourceType !== type) {
      throw Ec2Errors.invalidParameterValue(`'${spec.resourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
    tags = mergeTags(tags, spec.tags);
  }
  return tags;
}

/** Rewrites the tags of the resource `id`, in `tx`; EC2's NotFound of its kind when it does not exist. */
async function retag(tx: Tx, scope: Scope, id: string, change: (tags: Ec2Tag[]) => Ec2Tag[], elsewhere?: TaggedElsewhere): Promise<void> {
  const type = resourceTypeOf(id);
  if (type === undefined && elsewhere && (await elsewhere.retag(tx, id, change))) return;
  const update = async <T extends { tags: Ec2Tag[] }>(key: string, missing: () => Error): Promise<void> => {
    const record = await tx.get<T>(key);
    if (!record) throw missing();
    tx.put(key, { ...record, tags: change(record.tags) });
  };
  switch (type) {
    case 'vpc':
      return update<VpcRecord>(keys.vpc(scope, id), () => Ec2Errors.invalidVpcNotFound(id));
    case 'subnet':
      return update<SubnetRecord>(keys.subnet(scope, id), () => Ec2Errors.invalidSubnetNotFound(id));
    case 'security-group':
      return update<SecurityGroupRecord>(keys.securityGroup(scope, id), () => Ec2Errors.invalidGroupNotFound(id));
    case 'network-interface':
      return update<NetworkInterfaceRecord>(keys.networkInterface(scope, id), () => Ec2Errors.invalidNetworkInterfaceNotFound(id));
    case 'security-group-rule': {
      const group = (await tx.list<SecurityGroupRecord>(keys.securityGroups(scope))).find((g) => g.rules.some((r) => r.ruleId === id));
      if (!group) throw Ec2Errors.invalidRuleNotFound(id);
      tx.put(keys.securityGroup(scope, group.groupId), {
        ...group, rules: group.rules.map((r) => (r.ruleId === id ? { ...r, tags: change(r.tags) } : r)),
      });
      return;
    }
    default:
      throw Ec2Errors.invalidId(id);
  }
}

/** CreateTags: sets `tags` on every resource, all or none. */
export async function createTags(store: Store, scope: Scope, resourceIds: readonly string[], tags: readonly Ec2Tag[], elsewhere?: TaggedElsewhere): Promise<void> {
  for (const t of tags) checkTag(t);
  await transact(store, async (tx) => {
    for (const id of resourceIds) await retag(tx, scope, id, (existing) => mergeTags(existing, tags), elsewhere);
  });
}

/** DeleteTags: removes the tags `removals` name (all, when it names none) from every resource. */
export async function deleteTags(
  store: Store, scope: Scope, resourceIds: readonly string[], removals: readonly TagInput[] | undefined, elsewhere?: TaggedElsewhere,
): Promise<void> {
  await transact(store, async (tx) => {
    for (const id of resourceIds) await retag(tx, scope, id, (existing) => removeTags(existing, removals), elsewhere);
  });
}

const rows = (resourceId: string, resourceType: TaggableType, tags: readonly Ec2Tag[]): TagDescription[] =>
  tags.map((t) => ({ resourceId, resourceType, key: t.key, value: t.value }));

/** Every tag in a scope, by resource id then key, that passes the filters (resource-id, resource-type, key, value). */
export async function describeTags(store: Store, scope: Scope, filters: readonly Ec2Filter[] | undefined, elsewhere?: TaggedElsewhere): Promise<TagDescription[]> {
  const values = async <T>(prefix: string) => (await listDocs<T>(store, prefix)).map((d) => d.value);
  const [vpcs, subnets, groups, interfaces] = await Promise.all([
    values<VpcRecord>(keys.vpcs(scope)), values<SubnetRecord>(keys.subnets(scope)),
    values<SecurityGroupRecord>(keys.securityGroups(scope)), values<NetworkInterfaceRecord>(keys.interfaces(scope)),
  ]);
  const all = [
    ...vpcs.flatMap((v) => rows(v.vpcId, 'vpc', v.tags)),
    ...subnets.flatMap((s) => rows(s.subnetId, 'subnet', s.tags)),
    ...groups.flatMap((g) => [...rows(g.groupId, 'security-group', g.tags), ...g.rules.flatMap((r) => rows(r.ruleId, 'security-group-rule', r.tags))]),
    ...interfaces.flatMap((n) => rows(n.networkInterfaceId, 'network-interface', n.tags)),
    ...(elsewhere ? await elsewhere.rows() : []),
  ].sort((a, b) => (a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return applyFilters(all, filters, {
    'resource-id': (t) => [t.resourceId],
    'resource-type': (t) => [t.resourceType],
    key: (t) => [t.key],
    value: (t) => [t.value],
  });
}

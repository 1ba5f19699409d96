/**
 * What users ask of instances once launched — StartInstances, StopInstances, TerminateInstances
 * (all or none, each through the state machine), DescribeInstances and DescribeInstanceStatus
 * with EC2's filters — and what the instances controller writes: an instance's move to the state
 * its host reached, guarded on the record it read, and the release of its address once terminated.
 */
import { applyFilters, stageReleaseInterface, type Ec2Filter, type Ec2Tag, type Scope } from '../network/index.ts';
import { getDoc, listDocs, transact, type Doc, type Store, type Tx } from '../state/index.ts';
import type { InstancesEnv } from './env.ts';
import { InstanceErrors } from './errors.ts';
import { instanceType } from './instance-types.ts';
import { instanceKeys, isInstanceId, type InstanceRecord } from './records.ts';
import { STATE_CODES, completion, reasonsOfRequest, requestOutcome, visibleAt, type InstanceRequest, type InstanceStateName } from './states.ts';
import type { InstanceHostSpec } from './ports.ts';

/** One instance's change of state, as Start/Stop/TerminateInstances answer. */
export interface StateChange {
  instanceId: string;
  previous: InstanceStateName;
  current: InstanceStateName;
}

/** Checks each id's form and that it names a visible instance; EC2's errors name every missing id at once. */
function pick(records: Map<string, InstanceRecord>, ids: readonly string[], now: number): InstanceRecord[] {
  for (const id of ids) if (!isInstanceId(id)) throw InstanceErrors.malformedInstanceId(id);
  const missing = ids.filter((id) => {
    const r = records.get(id);
    return !r || !visibleAt(r.terminatedAt, now);
  });
  if (missing.length) throw InstanceErrors.instanceNotFound([...new Set(missing)]);
  return [...new Set(ids)].map((id) => records.get(id)!);
}

/** Start, stop or terminate the instances `ids`: all or none. */
export async function changeInstances(env: InstancesEnv, scope: Scope, ids: readonly string[], request: InstanceRequest): Promise<StateChange[]> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const records = new Map<string, InstanceRecord>();
    for (const id of new Set(ids)) {
      if (!isInstanceId(id)) continue;
      const r = await tx.get<InstanceRecord>(instanceKeys.instance(scope, id));
      if (r) records.set(id, r);
    }
    const changes: StateChange[] = [];
    for (const instance of pick(records, ids, now)) {
      const outcome = requestOutcome(instance.state, request);
      if ('refused' in outcome) throw request === 'start' ? InstanceErrors.cannotStart(instance.instanceId) : InstanceErrors.cannotStop(instance.instanceId);
      changes.push({ instanceId: instance.instanceId, previous: instance.state, current: outcome.to });
      if (outcome.to === instance.state) continue;
      const restarted = instance.state === 'stopped' ? { launchTime: now } : {};
      const next: InstanceRecord = { ...instance, ...restarted, state: outcome.to, ...reasonsOfRequest(outcome.to, now) };
      tx.put(instanceKeys.instance(scope, instance.instanceId), next);
      await env.onInstanceState?.(tx, next, now);
    }
    return changes;
  });
}

/** What DescribeInstances asks for. */
export interface DescribeInstancesRequest {
  instanceIds?: string[];
  filters?: Ec2Filter[];
}

/** The order EC2 lists instances in here (by launch, then position in it), as a key paging can resume after. */
export const listingKey = (i: InstanceRecord): string => `${String(i.launchTime).padStart(15, '0')}/${i.reservationId}/${String(i.amiLaunchIndex).padStart(6, '0')}`;

/** DescribeInstances: the scope's visible instances the request names that pass its filters, in launch order. */
export async function describeInstances(store: Store, scope: Scope, request: DescribeInstancesRequest, now: number): Promise<InstanceRecord[]> {
  const docs = await listDocs<InstanceRecord>(store, instanceKeys.instances(scope));
  const records = new Map(docs.map((d) => [d.value.instanceId, d.value]));
  const named = request.instanceIds?.length ? pick(records, request.instanceIds, now) : [...records.values()].filter((r) => visibleAt(r.terminatedAt, now));
  const filtered = applyFilters(named, request.filters, {
    'instance-id': (i) => [i.instanceId],
    'instance-state-name': (i) => [i.state],
    'instance-state-code': (i) => [STATE_CODES[i.state]],
    'instance-type': (i) => [i.instanceType],
    'image-id': (i) => [i.imageId],
    'key-name': (i) => [i.keyName],
    'subnet-id': (i) => [i.subnetId],
    'vpc-id': (i) => [i.vpcId],
    'availability-zone': (i) => [i.availabilityZone],
    'private-ip-address': (i) => [i.privateIpAddress],
    'network-interface.addresses.private-ip-address': (i) => [i.privateIpAddress],
    'network-interface.network-interface-id': (i) => [i.networkInterfaceId],
    'reservation-id': (i) => [i.reservationId],
    'owner-id': (i) => [i.ownerId],
    'launch-index': (i) => [i.amiLaunchIndex],
    'launch-time': (i) => [new Date(i.launchTime).toISOString()],
    'instance.group-id': (i) => i.groups.map((g) => g.groupId),
    'instance.group-name': (i) => i.groups.map((g) => g.groupName),
    'group-id': (i) => i.groups.map((g) => g.groupId),
    'group-name': (i) => i.groups.map((g) => g.groupName),
    'iam-instance-profile.arn': (i) => [i.iamInstanceProfile?.arn],
    'client-token': (i) => [i.clientToken],
    architecture: (i) => [instanceType(i.instanceType)?.architecture],
    'root-device-type': () => ['ebs'],
    'virtualization-type': () => ['hvm'],
    'tenancy': () => ['default'],
  }, (i) => i.tags);
  return filtered.sort((a, b) => (listingKey(a) < listingKey(b) ? -1 : 1));
}

/** What DescribeInstanceStatus asks for. */
export interface DescribeStatusRequest extends DescribeInstancesRequest {
  /** Also the instances that are not running. */
  includeAllInstances?: boolean;
}

/** DescribeInstanceStatus: running instances (all visible ones with includeAllInstances) the request names that pass its filters. */
export async function describeInstanceStatus(store: Store, scope: Scope, request: DescribeStatusRequest, now: number): Promise<InstanceRecord[]> {
  const all = await describeInstances(store, scope, { instanceIds: request.instanceIds }, now);
  const shown = request.includeAllInstances ? all : all.filter((i) => i.state === 'running');
  return applyFilters(shown, request.filters, {
    'instance-state-name': (i) => [i.state],
    'instance-state-code': (i) => [STATE_CODES[i.state]],
    'availability-zone': (i) => [i.availabilityZone],
    'instance-status.status': (i) => [i.state === 'running' ? 'ok' : 'not-applicable'],
    'system-status.status': (i) => [i.state === 'running' ? 'ok' : 'not-applicable'],
    'instance-status.reachability': (i) => [i.state === 'running' ? 'passed' : undefined],
    'system-status.reachability': (i) => [i.state === 'running' ? 'passed' : undefined],
  });
}

/** One instance, visible or not: what DescribeInstanceAttribute and the controller read. */
export async function getInstance(store: Store, scope: Scope, id: string, now: number): Promise<InstanceRecord> {
  if (!isInstanceId(id)) throw InstanceErrors.malformedInstanceId(id);
  const found = await getDoc<InstanceRecord>(store, instanceKeys.instance(scope, id));
  if (!found || !visibleAt(found.value.terminatedAt, now)) throw InstanceErrors.instanceNotFound([id]);
  return found.value;
}

/**
 * Moves an instance whose host did what its state asked to the state that follows (pending →
 * running, stopping → stopped, shutting-down → terminated, releasing its address), if the
 * record is still the one `doc` read; false when it changed in between (the controller looks again).
 */
export async function completeTransition(env: InstancesEnv, scope: Scope, doc: Doc<InstanceRecord>): Promise<boolean> {
  const to = completion(doc.value.state);
  if (!to) return true;
  const now = env.clock.now();
  const key = instanceKeys.instance(scope, doc.value.instanceId);
  return transact(env.store, async (tx) => {
    tx.guard(key, doc.modRevision);
    const current = await tx.get<InstanceRecord>(key);
    if (!current || current.state !== doc.value.state) return false;
    const next: InstanceRecord = { ...current, state: to };
    if (to === 'running') {
      next.stateTransitionReason = '';
      delete next.stateReason;
    }
    if (to === 'terminated') {
      next.terminatedAt = now;
      await stageReleaseInterface(tx, scope, current.networkInterfaceId);
    }
    tx.put(key, next);
    await env.onInstanceState?.(tx, next, now);
    return true;
  });
}

/** Deletes a terminated instance once it is no longer shown (guarded on the record read). */
export async function forgetInstance(store: Store, scope: Scope, doc: Doc<InstanceRecord>, now: number): Promise<boolean> {
  if (doc.value.state !== 'terminated' || visibleAt(doc.value.terminatedAt, now)) return false;
  const key = instanceKeys.instance(scope, doc.value.instanceId);
  await transact(store, async (tx) => {
    tx.guard(key, doc.modRevision);
    tx.delete(key);
  });
  return true;
}

/** Everything a host needs to run an instance. */
export function hostSpec(scope: Scope, i: InstanceRecord): InstanceHostSpec {
  const type = instanceType(i.instanceType);
  return {
    instanceId: i.instanceId, account: scope.account, region: scope.region, availabilityZone: i.availabilityZone, instanceType: i.instanceType,
    cpu: (type?.vcpus ?? 1) * 1024, memoryMiB: type?.memoryMiB ?? 0, maxNetworkInterfaces: type?.maxNetworkInterfaces ?? 1,
    imageId: i.imageId, subnetId: i.subnetId, vpcId: i.vpcId, privateIpAddress: i.privateIpAddress,
    ...(i.userData !== undefined ? { userData: Buffer.from(i.userData, 'base64').toString('utf8') } : {}),
    ...(i.iamInstanceProfile?.roleArn !== undefined ? { instanceProfileRoleArn: i.iamInstanceProfile.roleArn } : {}),
  };
}

/** `ECS_CLUSTER=<name>` of user data as the ECS-optimized AMI's boot writes it to /etc/ecs/ecs.config (`default` when it names none). */
export function clusterOfUserData(userData: string | undefined): string {
  const match = /(?:^|[\s'"])ECS_CLUSTER=["']?([A-Za-z0-9_-]+)/m.exec(userData ?? '');
  return match?.[1] ?? 'default';
}

/**
 * Rewrites an instance's tags in `tx` (CreateTags, DeleteTags on an `i-` id): false when `id` is
 * not an instance id, NotFound when it names no visible instance.
 */
export async function retagInstance(tx: Tx, scope: Scope, id: string, change: (tags: Ec2Tag[]) => Ec2Tag[], now: number): Promise<boolean> {
  if (!id.startsWith('i-')) return false;
  if (!isInstanceId(id)) throw InstanceErrors.malformedInstanceId(id);
  const key = instanceKeys.instance(scope, id);
  const record = await tx.get<InstanceRecord>(key);
  if (!record || !visibleAt(record.terminatedAt, now)) throw InstanceErrors.instanceNotFound([id]);
  // EC2's own tags (aws:…) stay whatever the change.
  const own = record.tags.filter((t) => t.key.startsWith('aws:'));
  const user = change(record.tags.filter((t) => !t.key.startsWith('aws:')));
  tx.put(key, { ...record, tags: [...user, ...own] });
  return true;
}

/** Every visible instance's tags, as DescribeTags lists them. */
export async function instanceTagRows(store: Store, scope: Scope, now: number): Promise<{ resourceId: string; key: string; value: string }[]> {
  const docs = await listDocs<InstanceRecord>(store, instanceKeys.instances(scope));
  return docs.filter((d) => visibleAt(d.value.terminatedAt, now)).flatMap((d) => d.value.tags.map((t) => ({ resourceId: d.value.instanceId, key: t.key, value: t.value })));
}

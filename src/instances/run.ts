/**
 * RunInstances: instances made from a request (over its launch template, if it names one), each
 * with an address of its subnet (the network domain's allocator, through an interface it holds),
 * its security groups, its user data as given and its instance profile, written `pending` in one
 * transaction; the instances controller starts their hosts. A ClientToken already used gives
 * back the reservation it made.
 */
import {
  Ec2Errors, keys, mergeTags, stageServiceInterface, type Ec2Tag, type Scope, type SecurityGroupRecord, type SubnetRecord, type VpcRecord,
} from '../network/index.ts';
import { getDoc, transact, type Tx } from '../state/index.ts';
import type { InstancesEnv } from './env.ts';
import { InstanceErrors } from './errors.ts';
import { instanceType } from './instance-types.ts';
import { mergeLaunchData } from './launch-data.ts';
import { loadTemplate, loadVersion } from './launch-templates.ts';
import {
  instanceId, instanceKeys, reservationId, type InstanceProfileRef, type InstanceRecord, type LaunchTemplateData,
} from './records.ts';
import { PENDING } from './states.ts';

/** Finds an IAM instance profile by ARN or name in an account (identity's, given by the wiring); undefined when there is none. */
export type InstanceProfilesPort = (account: string, ref: { arn?: string; name?: string }) => Promise<InstanceProfileRef | undefined>;

/** What RunInstances asks for, beside what its launch template gives. */
export interface RunInstancesRequest extends LaunchTemplateData {
  minCount: number;
  maxCount: number;
  subnetId?: string;
  privateIpAddress?: string;
  clientToken?: string;
  launchTemplate?: { id?: string; name?: string; version?: string };
  /** Tags AWS itself puts on the instances (`aws:autoscaling:groupName`), which a user's tags may not start with. */
  awsTags?: Ec2Tag[];
}

/** The reservation a RunInstances made. */
export interface Reservation {
  reservationId: string;
  ownerId: string;
  instances: InstanceRecord[];
}

/** Instances one RunInstances makes at most: a larger MaxCount is cut to it (as EC2 launches what its limit allows), a larger MinCount refused. */
export const MAX_INSTANCES_PER_LAUNCH = 100;

/** User data may be this long, decoded, as in EC2. */
export const MAX_USER_DATA_BYTES = 16_384;

const AMI = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** Checks user data is base64 of at most 16 KB. */
function checkUserData(userData: string): void {
  const compact = userData.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw InstanceErrors.invalidUserData();
  if (Buffer.from(compact, 'base64').length > MAX_USER_DATA_BYTES) {
    throw InstanceErrors.invalidParameterValue(`User data is limited to ${MAX_USER_DATA_BYTES} bytes`);
  }
}

/** The launch's parameters: the launch template's (if any) with the request's over them. */
async function launchData(tx: Tx, scope: Scope, request: RunInstancesRequest): Promise<{ data: LaunchTemplateData; template?: InstanceRecord['launchTemplate'] }> {
  if (!request.launchTemplate) return { data: request };
  const template = await loadTemplate(tx, scope, request.launchTemplate);
  const version = await loadVersion(tx, scope, template, request.launchTemplate.version);
  return {
    data: mergeLaunchData(version.data, request),
    template: { id: template.launchTemplateId, name: template.launchTemplateName, version: String(version.versionNumber) },
  };
}

/** The subnet of the launch: the primary interface's, the request's, or the default VPC's default subnet in the zone asked for (the first zone's when none is). */
async function subnetOf(tx: Tx, scope: Scope, data: LaunchTemplateData, request: RunInstancesRequest): Promise<SubnetRecord> {
  const id = data.networkInterfaces?.find((n) => (n.deviceIndex ?? 0) === 0)?.subnetId ?? request.subnetId;
  if (id !== undefined) {
    const subnet = await tx.get<SubnetRecord>(keys.subnet(scope, id));
    if (!subnet) throw Ec2Errors.invalidSubnetNotFound(id);
    const zone = data.placement?.availabilityZone;
    if (zone !== undefined && zone !== subnet.availabilityZone) {
      throw InstanceErrors.invalidParameterValue(`Value (${zone}) for parameter availabilityZone is invalid. Subnet ${id} is in availability zone ${subnet.availabilityZone}`);
    }
    return subnet;
  }
  const vpcs = await tx.list<VpcRecord>(keys.vpcs(scope));
  const vpc = vpcs.find((v) => v.isDefault);
  if (!vpc) throw Ec2Errors.vpcIdNotSpecified();
  const subnets = (await tx.list<SubnetRecord>(keys.subnets(scope))).filter((s) => s.vpcId === vpc.vpcId && s.defaultForAz);
  const zone = data.placement?.availabilityZone;
  const subnet = zone === undefined ? subnets.sort((a, b) => (a.availabilityZone < b.availabilityZone ? -1 : 1))[0] : subnets.find((s) => s.availabilityZone === zone);
  if (!subnet) {
    if (zone !== undefined) throw InstanceErrors.invalidParameterValue(`Value (${zone}) for parameter availabilityZone is invalid. No default subnet for availability zone: '${zone}'.`);
    throw InstanceErrors.noDefaultSubnet(vpc.vpcId);
  }
  return subnet;
}

/** The launch's security groups, by id or (in the subnet's VPC) by name; the VPC's `default` group when none is named. */
async function groupsOf(tx: Tx, scope: Scope, data: LaunchTemplateData, subnet: SubnetRecord): Promise<InstanceRecord['groups']> {
  const groups = (await tx.list<SecurityGroupRecord>(keys.securityGroups(scope)));
  const ids = data.networkInterfaces?.find((n) => (n.deviceIndex ?? 0) === 0)?.groupIds ?? data.securityGroupIds ?? [];
  const chosen: SecurityGroupRecord[] = [];
  for (const id of new Set(ids)) {
    const group = groups.find((g) => g.groupId === id);
    if (!group) throw Ec2Errors.invalidGroupNotFound(id);
    if (group.vpcId !== subnet.vpcId) {
      throw InstanceErrors.invalidParameter(`Security group ${id} and subnet ${subnet.subnetId} belong to different networks.`);
    }
    chosen.push(group);
  }
  for (const name of new Set(data.securityGroups ?? [])) {
    const group = groups.find((g) => g.groupName === name && g.vpcId === subnet.vpcId);
    if (!group) throw InstanceErrors.groupNameNotFound(name, subnet.vpcId);
    if (!chosen.includes(group)) chosen.push(group);
  }
  if (!chosen.length) {
    const fallback = groups.find((g) => g.vpcId === subnet.vpcId && g.groupName === 'default');
    if (fallback) chosen.push(fallback);
  }
  return chosen.map((g) => ({ groupId: g.groupId, groupName: g.groupName }));
}

/** Checks what needs no store: counts, the image id, the type, the user data. */
function checkLaunch(data: LaunchTemplateData, request: RunInstancesRequest): { type: string } {
  if (!Number.isInteger(request.minCount) || request.minCount < 1) throw InstanceErrors.invalidParameterValue(`Value (${request.minCount}) for parameter minCount is invalid. Expected a positive integer.`);
  if (!Number.isInteger(request.maxCount) || request.maxCount < 1) throw InstanceErrors.invalidParameterValue(`Value (${request.maxCount}) for parameter maxCount is invalid. Expected a positive integer.`);
  if (request.minCount > request.maxCount) throw InstanceErrors.invalidParameterValue(`Value (${request.minCount}) for parameter minCount is invalid. minCount must be less than or equal to maxCount.`);
  if (request.minCount > MAX_INSTANCES_PER_LAUNCH) throw InstanceErrors.instanceLimit(request.minCount, MAX_INSTANCES_PER_LAUNCH);
  if (data.imageId === undefined) throw InstanceErrors.missingParameter('ImageId');
  if (!AMI.test(data.imageId)) throw InstanceErrors.malformedImageId(data.imageId);
  if (data.instanceType === undefined) throw InstanceErrors.missingParameter('InstanceType');
  if (!instanceType(data.instanceType)) throw InstanceErrors.unsupportedInstanceType(data.instanceType);
  if (data.userData !== undefined) checkUserData(data.userData);
  for (const spec of data.tagSpecifications ?? []) {
    if (spec.resourceType !== 'instance' && spec.resourceType !== 'network-interface' && spec.resourceType !== 'volume') {
      throw InstanceErrors.invalidParameterValue(`'${spec.resourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
  }
  const address = data.networkInterfaces?.find((n) => (n.deviceIndex ?? 0) === 0)?.privateIpAddress ?? request.privateIpAddress;
  if (address !== undefined && request.maxCount > 1) {
    throw InstanceErrors.invalidParameterCombination('Network interfaces and an instance-level private IP address should not be specified on the same request with a count greater than 1.');
  }
  return { type: data.instanceType };
}

/** The instance tags the TagSpecifications ask for (other resource types' are accepted and not kept). */
function instanceTags(data: LaunchTemplateData): Ec2Tag[] {
  let tags: Ec2Tag[] = [];
  for (const spec of data.tagSpecifications ?? []) if (spec.resourceType === 'instance') tags = mergeTags(tags, spec.tags);
  return tags;
}

/** RunInstances. `profiles` resolves the IAM instance profile the launch names. */
export async function runInstances(env: InstancesEnv, scope: Scope, request: RunInstancesRequest, profiles: InstanceProfilesPort): Promise<Reservation> {
  const fingerprint = JSON.stringify({ ...request, clientToken: undefined });
  if (request.clientToken !== undefined) {
    const held = await getDoc<TokenHold>(env.store, instanceKeys.clientToken(scope, request.clientToken));
    if (held) return reservationOf(env, scope, sameRequest(held.value, fingerprint));
  }
  // The template and the instance profile are read first, to resolve the profile outside the transaction.
  const first = await transact(env.store, (tx) => launchData(tx, scope, request));
  checkLaunch(first.data, request);
  const profileAsked = first.data.iamInstanceProfile;
  let profile: InstanceProfileRef | undefined;
  if (profileAsked?.arn !== undefined || profileAsked?.name !== undefined) {
    profile = await profiles(scope.account, profileAsked);
    if (!profile) {
      throw profileAsked.arn !== undefined
        ? InstanceErrors.invalidInstanceProfile('iamInstanceProfile.arn', profileAsked.arn)
        : InstanceErrors.invalidInstanceProfile('iamInstanceProfile.name', profileAsked.name!);
    }
  }
  const now = env.clock.now();
  const reservation = reservationId(env.ids.hex32());
  const made = await transact(env.store, async (tx) => {
    if (request.clientToken !== undefined) {
      const held = await tx.get<TokenHold>(instanceKeys.clientToken(scope, request.clientToken));
      if (held) return sameRequest(held, fingerprint);
    }
    const { data, template } = await launchData(tx, scope, request);
    const { type } = checkLaunch(data, request);
    const subnet = await subnetOf(tx, scope, data, request);
    const groups = await groupsOf(tx, scope, data, subnet);
    const primary = data.networkInterfaces?.find((n) => (n.deviceIndex ?? 0) === 0);
    const tags = instanceTags(data);
    const instances: InstanceRecord[] = [];
    for (let i = 0; i < Math.min(request.maxCount, MAX_INSTANCES_PER_LAUNCH); i++) {
      const random = env.ids.hex32();
      const eni = await stageServiceInterface(tx, scope, {
        subnet, groupIds: groups.map((g) => g.groupId), random, now, description: primary?.description ?? '',
        ...((primary?.privateIpAddress ?? request.privateIpAddress) !== undefined ? { ipAddress: primary?.privateIpAddress ?? request.privateIpAddress } : {}),
      });
      if (eni === 'subnet-full') {
        if (i >= request.minCount) break;
        throw InstanceErrors.insufficientAddresses(subnet.subnetId);
      }
      if (eni === 'in-use') throw InstanceErrors.addressInUse(primary?.privateIpAddress ?? request.privateIpAddress ?? '');
      if (eni === 'outside-subnet') {
        throw InstanceErrors.invalidParameterValue(`Address ${primary?.privateIpAddress ?? request.privateIpAddress} does not fall within the subnet's address range`);
      }
      const instance: InstanceRecord = {
        instanceId: instanceId(env.ids.hex32()), reservationId: reservation, ownerId: scope.account,
        imageId: data.imageId!, instanceType: type, ...(data.keyName !== undefined ? { keyName: data.keyName } : {}),
        state: 'pending', stateTransitionReason: '', stateReason: PENDING, launchTime: now, amiLaunchIndex: i,
        availabilityZone: subnet.availabilityZone, subnetId: subnet.subnetId, vpcId: subnet.vpcId,
        privateIpAddress: eni.privateIpAddress, networkInterfaceId: eni.networkInterfaceId, macAddress: eni.macAddress, groups,
        ...(data.userData !== undefined ? { userData: data.userData.replace(/\s+/g, '') } : {}),
        ...(profile ? { iamInstanceProfile: profile } : {}),
        ...(template ? { launchTemplate: template } : {}),
        ...(request.clientToken !== undefined ? { clientToken: request.clientToken } : {}),
        tags: [
          ...tags, ...(request.awsTags ?? []),
          ...(template ? [{ key: 'aws:ec2launchtemplate:id', value: template.id }, { key: 'aws:ec2launchtemplate:version', value: template.version }] : []),
        ],
      };
      tx.put(instanceKeys.instance(scope, instance.instanceId), instance);
      await env.onInstanceState?.(tx, instance, now);
      instances.push(instance);
    }
    const held: TokenHold = { reservationId: reservation, instanceIds: instances.map((i) => i.instanceId), fingerprint };
    if (request.clientToken !== undefined) tx.put(instanceKeys.clientToken(scope, request.clientToken), held);
    return held;
  });
  return reservationOf(env, scope, made);
}

/** What a ClientToken's key holds: the reservation it made, and the request that made it. */
interface TokenHold {
  reservationId: string;
  instanceIds: string[];
  fingerprint: string;
}

/** The reservation of a token used before, if the request is the same one. */
function sameRequest(held: TokenHold, fingerprint: string): TokenHold {
  if (held.fingerprint !== fingerprint) throw InstanceErrors.idempotentMismatch();
  return held;
}

/** A reservation's instances as stored now. */
async function reservationOf(env: InstancesEnv, scope: Scope, held: { reservationId: string; instanceIds: string[] }): Promise<Reservation> {
  const instances: InstanceRecord[] = [];
  for (const id of held.instanceIds) {
    const doc = await getDoc<InstanceRecord>(env.store, instanceKeys.instance(scope, id));
    if (doc) instances.push(doc.value);
  }
  return { reservationId: held.reservationId, ownerId: scope.account, instances };
}

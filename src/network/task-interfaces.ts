/**
 * Task interfaces (ENIs) from ECS's side: an awsvpc task's configuration resolved against the
 * stored VPCs, and the interface a launch creates for a task (an address of its subnet, guarded
 * so no two interfaces ever share one) and releases once the task has stopped. All staged in
 * the caller's transaction, beside the task itself.
 */
import type { Tx } from '../state/index.ts';
import { assignable, formatIp, parseCidr } from '../common/index.ts';
import { stageDefaultVpc } from './default-vpc.ts';
import { ec2Id, keys, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord, type SubnetRecord, type VpcRecord } from './records.ts';

/** A task's `awsvpcConfiguration`, as read from the request. */
export interface AwsvpcConfiguration {
  subnets: string[];
  securityGroups?: string[];
  assignPublicIp?: 'ENABLED' | 'DISABLED';
}

/** An awsvpc configuration checked against the store: its subnets, their VPC and the groups (the VPC's default group when none were named). */
export interface ResolvedAwsvpc {
  vpc: VpcRecord;
  subnets: SubnetRecord[];
  groupIds: string[];
  assignPublicIp: boolean;
}

/** Why an awsvpc configuration cannot be used, in ECS's words (the ECS domain raises it as InvalidParameterException). */
export class AwsvpcProblem extends Error {}

/**
 * Resolves an awsvpc configuration through `tx` (so the launch is guarded on what it read):
 * every subnet and group must exist, in one VPC. Makes the scope's default VPC first if it was
 * never made, as any EC2 call would.
 */
export async function resolveAwsvpc(tx: Tx, scope: Scope, config: AwsvpcConfiguration, now: number): Promise<ResolvedAwsvpc> {
  await stageDefaultVpc(tx, scope, now);
  const subnets: SubnetRecord[] = [];
  for (const id of config.subnets) {
    const subnet = await tx.get<SubnetRecord>(keys.subnet(scope, id));
    if (!subnet) throw new AwsvpcProblem(`Error retrieving subnet information for [${id}]: The subnet ID '${id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`);
    subnets.push(subnet);
  }
  const vpcId = subnets[0].vpcId;
  if (subnets.some((s) => s.vpcId !== vpcId)) throw new AwsvpcProblem('The subnets in the network configuration must all belong to the same VPC.');
  const vpc = await tx.get<VpcRecord>(keys.vpc(scope, vpcId));
  if (!vpc) throw new AwsvpcProblem(`Error retrieving VPC information for [${vpcId}]: The vpc ID '${vpcId}' does not exist (ErrorCode: InvalidVpcID.NotFound)`);
  const groupIds = config.securityGroups?.length ? [...new Set(config.securityGroups)] : [await defaultGroupOf(tx, scope, vpcId)];
  for (const id of groupIds) {
    const group = await tx.get<SecurityGroupRecord>(keys.securityGroup(scope, id));
    if (!group) throw new AwsvpcProblem(`Error retrieving security group information for [${id}]: The security group '${id}' does not exist (ErrorCode: InvalidGroup.NotFound)`);
    if (group.vpcId !== vpcId) throw new AwsvpcProblem(`Security group ${id} does not appear to belong to the same VPC as the input subnets.`);
  }
  return { vpc, subnets, groupIds, assignPublicIp: config.assignPublicIp === 'ENABLED' };
}

/** The id of a VPC's `default` group. */
async function defaultGroupOf(tx: Tx, scope: Scope, vpcId: string): Promise<string> {
  const groups = await tx.list<SecurityGroupRecord>(keys.securityGroups(scope));
  const group = groups.find((g) => g.vpcId === vpcId && g.groupName === 'default');
  if (!group) throw new AwsvpcProblem(`VPC ${vpcId} has no default security group: name securityGroups in the network configuration.`);
  return group.groupId;
}

/**
 * The subnet a task placed in `availabilityZone` uses: one of the configuration's subnets in
 * that zone, else (a subnet spans every host here) the `n`th of them, so tasks spread over the
 * subnets they were given.
 */
export function subnetFor(resolved: ResolvedAwsvpc, availabilityZone: string | undefined, n: number): SubnetRecord {
  const inZone = resolved.subnets.filter((s) => s.availabilityZone === availabilityZone);
  const pool = inZone.length ? inZone : resolved.subnets;
  return pool[n % pool.length];
}

/** What a new task interface is for. */
export interface InterfaceRequest {
  subnet: SubnetRecord;
  groupIds: string[];
  assignPublicIp: boolean;
  taskArn: string;
  containerInstanceArn?: string;
  /** The ECS attachment id (a UUID) the task shows for the interface. */
  attachmentId: string;
  /** 32 random hex characters: the interface id and its MAC address are made from them. */
  random: string;
  now: number;
}

/** What an address key holds. */
interface AddressHold {
  networkInterfaceId: string;
  ip: string;
}

/**
 * Creates a task's interface with the lowest free address of its subnet, staged in `tx`; the
 * address key is guarded absent, so a racing launch that took it makes this commit retry.
 * Undefined when the subnet has no address left.
 */
export async function stageTaskInterface(tx: Tx, scope: Scope, req: InterfaceRequest): Promise<NetworkInterfaceRecord | undefined> {
  const cidr = parseCidr(req.subnet.cidrBlock)!;
  const taken = new Set((await tx.list<AddressHold>(keys.addresses(scope, req.subnet.subnetId))).map((a) => a.ip));
  let ip: string | undefined;
  for (const n of assignable(cidr)) {
    const candidate = formatIp(n);
    if (taken.has(candidate) || (await tx.get(keys.address(scope, req.subnet.subnetId, candidate)))) continue;
    ip = candidate;
    break;
  }
  if (!ip) return undefined;
  const eni: NetworkInterfaceRecord = {
    ...interfaceBase(scope, req.subnet, ip, req.groupIds, req.random, req.now),
    description: `arn:aws:ecs:${scope.region}:${scope.account}:attachment/${req.attachmentId}`,
    assignPublicIp: req.assignPublicIp,
    attachment: {
      attachmentId: ec2Id('eni-attach', req.random.slice(15) + req.random.slice(0, 15)),
      taskArn: req.taskArn,
      containerInstanceArn: req.containerInstanceArn,
      attachedAt: req.now,
    },
  };
  stagePutInterface(tx, scope, eni);
  return eni;
}

/** What every interface AWS makes for a resource (a task, a mount target) has: requester-managed, in use, with `ip` of `subnet`. */
export function interfaceBase(scope: Scope, subnet: SubnetRecord, ip: string, groupIds: string[], random: string, now: number)
  : Omit<NetworkInterfaceRecord, 'description' | 'assignPublicIp'> {
  return {
    networkInterfaceId: ec2Id('eni', random),
    ownerId: scope.account,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    privateIpAddress: ip,
    prefixLength: parseCidr(subnet.cidrBlock)!.prefix,
    macAddress: macOf(random),
    groupIds,
    interfaceType: 'interface',
    status: 'in-use',
    requesterManaged: true,
    tags: [],
    createdAt: now,
  };
}

/** Stages an interface and the hold on its address. */
export function stagePutInterface(tx: Tx, scope: Scope, eni: NetworkInterfaceRecord): void {
  tx.put<AddressHold>(keys.address(scope, eni.subnetId, eni.privateIpAddress), { networkInterfaceId: eni.networkInterfaceId, ip: eni.privateIpAddress });
  tx.put(keys.networkInterface(scope, eni.networkInterfaceId), eni);
}

/** A locally administered unicast MAC (`0a:…`, as AWS's ENIs have) from random hex. */
function macOf(random: string): string {
  return ['0a', ...(random.slice(17, 27).match(/../g) ?? [])].join(':');
}

/** Deletes a task's interface and frees its address (nothing when it is already gone). */
export async function stageReleaseInterface(tx: Tx, scope: Scope, networkInterfaceId: string): Promise<void> {
  const eni = await tx.get<NetworkInterfaceRecord>(keys.networkInterface(scope, networkInterfaceId));
  if (!eni) return;
  tx.delete(keys.networkInterface(scope, networkInterfaceId));
  const addressKey = keys.address(scope, eni.subnetId, eni.privateIpAddress);
  const held = await tx.get<AddressHold>(addressKey);
  if (held?.networkInterfaceId === networkInterfaceId) tx.delete(addressKey);
}

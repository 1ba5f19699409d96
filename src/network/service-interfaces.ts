/**
 * Interfaces an AWS service makes in a customer's subnet for a resource of its own (an EFS
 * mount target): requester-managed, attached to nothing, holding one address of the subnet so
 * that no task interface is ever given it. Staged in the caller's transaction, beside the
 * resource, and released with it (`stageReleaseInterface`).
 */
import type { Tx } from '../state/index.ts';
import { assignable, containsIp, formatIp, parseCidr, parseIp, size } from '../common/index.ts';
import { keys, type NetworkInterfaceRecord, type Scope, type SubnetRecord } from './records.ts';
import { interfaceBase, stagePutInterface } from './task-interfaces.ts';

/** What a service interface is for. */
export interface ServiceInterfaceRequest {
  subnet: SubnetRecord;
  groupIds: string[];
  /** The address asked for; the lowest free one of the subnet when absent. */
  ipAddress?: string;
  /** What EC2 shows as the interface's description (`EFS mount target for fs-… (fsmt-…)`). */
  description: string;
  /** 32 random hex characters: the interface id and its MAC address are made from them. */
  random: string;
  now: number;
}

/** Why no interface was made: the address is not one of the subnet's, is taken, or none is left. */
export type ServiceInterfaceProblem = 'outside-subnet' | 'in-use' | 'subnet-full';

/**
 * Creates the interface with the address asked for (or the lowest free one), staged in `tx`;
 * the address key is guarded absent, so a racing launch that took it makes this commit retry.
 */
export async function stageServiceInterface(tx: Tx, scope: Scope, req: ServiceInterfaceRequest): Promise<NetworkInterfaceRecord | ServiceInterfaceProblem> {
  const cidr = parseCidr(req.subnet.cidrBlock)!;
  const free = async (ip: string) => !(await tx.get(keys.address(scope, req.subnet.subnetId, ip)));
  let ip: string | undefined;
  if (req.ipAddress !== undefined) {
    const n = parseIp(req.ipAddress);
    // As `assignable` gives them: not the network address, the three after it, or the broadcast address.
    if (n === undefined || !containsIp(cidr, n) || n < cidr.base + 4 || n >= cidr.base + size(cidr) - 1) return 'outside-subnet';
    if (!(await free(req.ipAddress))) return 'in-use';
    ip = req.ipAddress;
  } else {
    const taken = new Set((await tx.list<{ ip: string }>(keys.addresses(scope, req.subnet.subnetId))).map((a) => a.ip));
    for (const n of assignable(cidr)) {
      const candidate = formatIp(n);
      if (taken.has(candidate) || !(await free(candidate))) continue;
      ip = candidate;
      break;
    }
    if (!ip) return 'subnet-full';
  }
  const eni: NetworkInterfaceRecord = { ...interfaceBase(scope, req.subnet, ip, req.groupIds, req.random, req.now), description: req.description, assignPublicIp: false };
  stagePutInterface(tx, scope, eni);
  return eni;
}

/** Sets the security groups of an interface (ModifyMountTargetSecurityGroups); nothing when it is gone. */
export async function stageInterfaceGroups(tx: Tx, scope: Scope, networkInterfaceId: string, groupIds: string[]): Promise<void> {
  const eni = await tx.get<NetworkInterfaceRecord>(keys.networkInterface(scope, networkInterfaceId));
  if (eni) tx.put(keys.networkInterface(scope, networkInterfaceId), { ...eni, groupIds });
}
